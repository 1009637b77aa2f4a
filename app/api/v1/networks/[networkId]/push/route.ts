import { apiRoute } from '@/lib/http/api';
import { pushNowOp } from '@/lib/pushes/operations';

// POST /api/v1/networks/{pn}/push: "Push now", one worker round for this network (admins)
export const POST = apiRoute(pushNowOp, { body: false });
