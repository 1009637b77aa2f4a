import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { compileErrors, validate } from '@readme/openapi-parser';
import { describe, expect, it } from 'vitest';
import { openApiDocument, openApiPath } from '@/lib/server/openapi/document';
import { apiDocs } from '@/lib/server/openapi/registry';

const root = path.resolve(__dirname, '../..');
const apiDir = path.join(root, 'pages/api/v1');

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (name.endsWith('.ts')) out.push(full);
  }
  return out;
}

/** Each route file as served (`/api/v1/networks/[networkId]/peers`) with the methods it declares. */
const files = walk(apiDir).map((file) => ({
  served: '/' + path.relative(path.join(root, 'pages'), file).replace(/(\/index)?\.ts$/, ''),
  methods: [...readFileSync(file, 'utf8').matchAll(/^ {2}(GET|POST|PUT|PATCH|DELETE): apiRoute\(/gm)].map((m) => m[1]).sort(),
}));

describe('the OpenAPI document', () => {
  it('describes every route file under pages/api/v1, and nothing else', () => {
    expect(files.length).toBeGreaterThan(20);
    const described = apiDocs.map((d) => d.spec.path).sort();
    expect(new Set(described).size, 'a route is described twice').toBe(described.length);
    expect(described, 'lib/server/openapi/registry.ts and pages/api/v1 disagree').toEqual(files.map((f) => f.served).sort());
  });

  it('describes exactly the methods each route serves', () => {
    const doc = openApiDocument() as { paths: Record<string, Record<string, unknown>> };
    for (const file of files) {
      const entry = apiDocs.find((d) => d.spec.path === file.served)!;
      expect(Object.keys(entry.methods).sort(), `${file.served}: described methods`).toEqual(file.methods);
      expect(Object.keys(doc.paths[openApiPath(file.served)] ?? {}).sort(), file.served).toEqual(file.methods.map((m) => m.toLowerCase()).sort());
    }
    expect(Object.keys(doc.paths).length).toBe(files.length + 1); // and /openapi.json itself
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const doc = openApiDocument();
    expect(doc.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(doc) as never);
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
    // The validator does look: a dangling reference is refused.
    const broken = structuredClone(doc) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    broken.paths['/projects'].get.responses['401'] = { $ref: '#/components/responses/Nope' };
    expect((await validate(broken as never)).valid).toBe(false);
  });

  it('takes request bodies from the operations\' own zod schemas, without the path parameters', () => {
    const doc = openApiDocument() as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown>; required?: string[] } }> }; parameters?: { name: string; in: string }[]; responses: Record<string, unknown> }>> };
    const create = doc.paths['/networks/{networkId}/members'].post;
    const body = create.requestBody!.content['application/json'].schema;
    expect(Object.keys(body.properties!).sort()).toEqual(['instances', 'kind', 'label', 'processes', 'tags']);
    expect(body.required).toEqual(['kind', 'label']);
    expect(create.parameters).toEqual([{ name: 'networkId', in: 'path', required: true, schema: { type: 'string' } }]);
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '403', '404', '409']));
    // A body that is a free-form map (PUT processes) is the schema of that map.
    const scale = doc.paths['/members/{memberId}/processes'].put.requestBody!.content['application/json'].schema as { anyOf?: unknown[] };
    expect(scale.anyOf).toHaveLength(2);
    expect(doc.paths['/networks/{networkId}/peers'].get.parameters!.map((p) => `${p.in}:${p.name}`)).toEqual(['path:networkId', 'query:q', 'query:memberId', 'query:limit', 'query:after']);
    expect(doc.paths['/networks/{networkId}/peers'].get.requestBody).toBeUndefined();
  });
});
