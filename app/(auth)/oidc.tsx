import { env } from '@/lib/server/env';
import { signIn } from '@/lib/server/auth/config';
import { buttonClass } from '@/components/ui/button-class';

/** The single sign-on button, only when OIDC_* is configured. */
export function oidcButton() {
  const e = env();
  if (!e.OIDC_ISSUER) return null;
  return (
    <form className="mt-3" action={async () => { 'use server'; await signIn('oidc', { redirectTo: '/projects' }); }}>
      <div className="my-3 flex items-center gap-2 text-xs text-slate-400"><span className="h-px flex-1 bg-slate-200" />or<span className="h-px flex-1 bg-slate-200" /></div>
      <button type="submit" className={`${buttonClass('secondary')} w-full`}>Continue with {e.OIDC_NAME}</button>
    </form>
  );
}
