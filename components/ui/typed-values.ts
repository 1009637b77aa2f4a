'use client';
import { useState } from 'react';
import type { ActionResult } from '@/lib/actions/run-action';

/**
 * React 19 resets a form after its action returns, so a refused form would come back empty
 * (STACK-NOTES). This keeps what was typed at submit and gives it back as the fields' default
 * values while the last answer is a refusal. Passwords are never kept.
 */
export function useTypedValues(state: ActionResult | null) {
  const [typed, setTyped] = useState<Record<string, string>>({});
  const refused = !!state && !state.ok;
  return {
    onSubmit(e: React.FormEvent<HTMLFormElement>) {
      const entries = [...new FormData(e.currentTarget)].filter((entry): entry is [string, string] => typeof entry[1] === 'string' && !/password/i.test(entry[0]));
      setTyped(Object.fromEntries(entries));
    },
    /** The typed value after a refusal, else `fallback` (the saved value, or nothing). */
    value(name: string, fallback?: string): string | undefined {
      return refused && name in typed ? typed[name] : fallback;
    },
  };
}
