import Link from 'next/link';
import { invitationGoneMessage } from '@/lib/core/invitations';

// An invitation link that was used, revoked, has expired or never existed: HTTP 404, in the sign-in frame.
export default function InvitationNotFound() {
  return (
    <>
      <h1 className="mb-2 text-xl font-semibold">Invitation not valid</h1>
      <p role="alert" className="text-sm text-slate-600">{invitationGoneMessage}</p>
      <p className="mt-4 text-sm"><Link href="/sign-in" className="font-medium text-indigo-700 hover:underline">Go to sign-in</Link></p>
    </>
  );
}
