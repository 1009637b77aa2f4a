'use client';
import { useState } from 'react';

/** Monospace value with a copy button: IPs, names, keys. */
export function Copyable({ value, label, truncate = false, testId }: { value: string; label?: string; truncate?: boolean; testId?: string }) {
  return (
    <span className="relative inline-flex max-w-full items-center gap-1 align-middle">
      <code className={`font-mono text-[13px] text-slate-800 ${truncate ? 'truncate' : 'break-all'}`} title={value} data-testid={testId}>{value}</code>
      <CopyButton value={value} label={label ?? value} />
    </span>
  );
}

export function CopyButton({ value, label }: { value: string; label: string }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      // Clipboard API needs a secure context; fall back to a hidden textarea.
      const area = document.createElement('textarea');
      area.value = value;
      document.body.append(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  }
  return (
    <button type="button" onClick={copy} aria-label={`Copy ${label}`} title={copied ? 'Copied' : 'Copy'}
      className="shrink-0 rounded p-1 text-slate-400 hover:bg-slate-100 hover:text-slate-700">
      {copied ? (
        <svg viewBox="0 0 20 20" className="size-3.5 text-emerald-600" fill="currentColor" aria-hidden><path d="M7.6 13.2 4.4 10l-1.1 1.1 4.3 4.3 9-9-1.1-1.1z" /></svg>
      ) : (
        <svg viewBox="0 0 20 20" className="size-3.5" fill="none" stroke="currentColor" strokeWidth="1.6" aria-hidden><rect x="7" y="7" width="9" height="9" rx="1.5" /><path d="M13 7V5.5A1.5 1.5 0 0 0 11.5 4h-6A1.5 1.5 0 0 0 4 5.5v6A1.5 1.5 0 0 0 5.5 13H7" /></svg>
      )}
      <span className="sr-only" aria-live="polite">{copied ? 'Copied' : ''}</span>
    </button>
  );
}
