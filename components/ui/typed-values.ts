'use client';
import { useState } from 'react';
import type { ActionResult } from '@/lib/server/actions/run-action';

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

/**
 * Calls `onNew` while rendering, once for each new action state (clearing fields after a
 * success, say): React's pattern for state that follows another, without an effect that
 * would render twice.
 */
export function useOnNewState<S>(state: S, onNew: (state: S) => void) {
  const [seen, setSeen] = useState(state);
  if (seen !== state) {
    setSeen(state);
    onNew(state);
  }
}
