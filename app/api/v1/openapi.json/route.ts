import { openApiDocument } from '@/lib/server/openapi/document';

// GET /api/v1/openapi.json: the API's OpenAPI 3.1 description. Public, like the docs it
// replaces: it says what the API is, never what is in it (no gate, no database). An app
// router route because the pages router does not serve a file named openapi.json.ts.

export const dynamic = 'force-dynamic';

let body: string | undefined;

export function GET() {
  body ??= JSON.stringify(openApiDocument());
  return new Response(body, {
    headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' },
  });
}
