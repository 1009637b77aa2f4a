'use client';
import { useFormStatus } from 'react-dom';

import { buttonClass, type ButtonVariant } from './button-class';

export function Button({ variant = 'primary', size = 'md', className = '', ...props }:
  React.ButtonHTMLAttributes<HTMLButtonElement> & { variant?: ButtonVariant; size?: 'sm' | 'md' }) {
  return <button type="button" {...props} className={`${buttonClass(variant, size)} ${className}`} />;
}

/** A submit button that shows the form is being sent and cannot be pressed twice. */
export function SubmitButton({ children, pendingText, variant = 'primary', size = 'md', className = '', ...props }:
  React.ButtonHTMLAttributes<HTMLButtonElement> & { pendingText?: string; variant?: ButtonVariant; size?: 'sm' | 'md' }) {
  const { pending } = useFormStatus();
  return (
    <button type="submit" disabled={pending || props.disabled} aria-busy={pending} {...props} className={`${buttonClass(variant, size)} ${className}`}>
      {pending && <Spinner />}
      {pending ? (pendingText ?? children) : children}
    </button>
  );
}

export function Spinner() {
  return <span aria-hidden className="size-3.5 animate-spin rounded-full border-2 border-current border-r-transparent" />;
}
