import { useId } from 'react';

type FieldProps = React.InputHTMLAttributes<HTMLInputElement> & { label: string; error?: string; hint?: string };

/** A labelled input with its error right under it, announced to screen readers. */
export function Field({ label, error, hint, className = '', id, ...props }: FieldProps) {
  const autoId = useId();
  const inputId = id ?? autoId;
  const describedBy = error ? `${inputId}-error` : hint ? `${inputId}-hint` : undefined;
  return (
    <div className={className}>
      <label htmlFor={inputId} className="block text-sm font-medium text-slate-700">{label}</label>
      <input id={inputId} aria-invalid={!!error} aria-describedby={describedBy} {...props} className={inputClass(!!error)} />
      {error ? (
        <p id={`${inputId}-error`} role="alert" className="mt-1 text-sm text-red-700">{error}</p>
      ) : hint ? (
        <p id={`${inputId}-hint`} className="mt-1 text-xs text-slate-500">{hint}</p>
      ) : null}
    </div>
  );
}

export function inputClass(invalid = false) {
  return `mt-1 block w-full rounded-md border bg-white px-3 py-2 text-sm shadow-xs placeholder:text-slate-400 [&[readonly]]:bg-slate-50 [&[readonly]]:text-slate-600 focus:outline-2 focus:outline-indigo-600 ${invalid ? 'border-red-500' : 'border-slate-300'}`;
}

type SelectProps = React.SelectHTMLAttributes<HTMLSelectElement> & { label: string; error?: string; options: readonly string[] };

export function SelectField({ label, error, options, className = '', id, ...props }: SelectProps) {
  const autoId = useId();
  const selectId = id ?? autoId;
  return (
    <div className={className}>
      <label htmlFor={selectId} className="block text-sm font-medium text-slate-700">{label}</label>
      <select id={selectId} aria-invalid={!!error} {...props} className={inputClass(!!error)}>
        {options.map((o) => <option key={o} value={o}>{o}</option>)}
      </select>
      {error && <p role="alert" className="mt-1 text-sm text-red-700">{error}</p>}
    </div>
  );
}

export function FormError({ message }: { message?: string | null }) {
  if (!message) return null;
  return <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 ring-1 ring-red-200">{message}</p>;
}
