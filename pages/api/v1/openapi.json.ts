import type { NextApiRequest, NextApiResponse } from 'next';
import { openApiDocument } from '@/lib/openapi/document';

// GET /api/v1/openapi.json: the API's OpenAPI 3.1 description. Public, like the docs it
// replaces: it says what the API is, never what is in it (no gate, no database).

let cached: Buffer | undefined;

export default function openApi(req: NextApiRequest, res: NextApiResponse) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET');
    res.status(405).json({ error: { code: 'method_not_allowed', message: `${req.method} is not allowed here; use GET.` } });
    return;
  }
  cached ??= Buffer.from(JSON.stringify(openApiDocument()));
  res.setHeader('content-type', 'application/json');
  res.setHeader('cache-control', 'public, max-age=300');
  res.end(cached);
}
