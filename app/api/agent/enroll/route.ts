import { getDb } from '@/lib/db/client';
import { env } from '@/lib/env';
import { AppError, invalid } from '@/lib/errors';
import { errorResponse } from '@/lib/http/api';
import { clientIp } from '@/lib/http/client-ip';
import { enrollHost, enrollSchema } from '@/lib/pushes/enrollment';

// POST /api/agent/enroll: an agent trades a one-time token for its identity (no user: the token is the credential)
export async function POST(request: Request) {
  try {
    let body: unknown;
    try {
      body = await request.json();
    } catch {
      throw new AppError(400, 'invalid_json', 'The request body is not valid JSON.');
    }
    const parsed = enrollSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw invalid(`${issue.path.join('.') || 'body'}: ${issue.message}`, issue.path.join('.') || undefined);
    }
    const ip = clientIp(request.headers, env().MESHPLANE_TRUSTED_PROXIES);
    return Response.json(await enrollHost(await getDb(), parsed.data, ip));
  } catch (error) {
    return errorResponse(error);
  }
}
