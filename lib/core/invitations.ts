/** What a used, revoked, expired or made-up invitation link says (the API's 404 message and the page's). */
export const invitationGoneMessage = 'This invitation link is not valid any more: it was used, revoked or has expired. Ask for a new one.';
