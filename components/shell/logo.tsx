export function Logo() {
  return (
    <span className="inline-flex items-center gap-2 text-lg font-semibold tracking-tight text-slate-900">
      <svg viewBox="0 0 24 24" className="size-6 text-indigo-600" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden>
        <circle cx="5" cy="6" r="2.2" /><circle cx="19" cy="6" r="2.2" /><circle cx="12" cy="18" r="2.2" />
        <path d="M7 6h10M6.2 8l4.6 8M17.8 8l-4.6 8" />
      </svg>
      Meshplane
    </span>
  );
}
