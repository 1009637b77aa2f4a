import { z } from 'zod';
import type { Method } from '../http/api';
import { errorAnswer } from './answers';
import { apiDocs, type RouteDoc } from './registry';

/*
 * GET /api/v1/openapi.json: an OpenAPI 3.1 document built from the routes themselves (path,
 * methods, the zod schema each operation validates its input with) and the answers in
 * ./answers.ts. JSON Schema from zod 4's z.toJSONSchema (draft 2020-12, which 3.1 uses).
 */

type Json = Record<string, unknown>;

const errorStatus: Record<number, string> = {
  400: 'Malformed or invalid input; `field` names the input',
  401: 'No valid API token',
  403: 'Visible, but your role is too low',
  404: 'Does not exist, or is not visible to you',
  409: 'Conflicts with existing state (overlapping CIDR, duplicate label, network full, last owner…)',
  413: 'The body is larger than 1 MiB',
};

/** Named schemas ($defs, from .meta({ id })) are gathered into components.schemas. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output', components: Json): Json {
  const { $schema: _s, $defs, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  for (const [name, def] of Object.entries(($defs ?? {}) as Json)) components[name] = relink(def);
  return relink(rest) as Json;
}

function relink(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(relink);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) =>
    [k, k === '$ref' && typeof v === 'string' ? v.replace('#/$defs/', '#/components/schemas/') : relink(v)]));
}

/** `/api/v1/networks/[networkId]/members` → `/networks/{networkId}/members` under the server `/api/v1`. */
export const openApiPath = (filePath: string) => filePath.replace(/^\/api\/v1/, '').replace(/\[(\w+)\]/g, '{$1}');

function requestBody(schema: Json, pathParams: string[], wrapBody: string | undefined): Json | null {
  const props = (schema.properties ?? {}) as Record<string, Json>;
  if (wrapBody) return props[wrapBody] ?? {};
  if (schema.type !== 'object') return schema; // e.g. a union: documented whole
  const kept = Object.fromEntries(Object.entries(props).filter(([k]) => !pathParams.includes(k)));
  const required = ((schema.required ?? []) as string[]).filter((k) => !pathParams.includes(k));
  if (Object.keys(kept).length === 0) return null;
  return { ...schema, properties: kept, ...(required.length ? { required } : { required: undefined }) };
}

function operationOf(route: RouteDoc, method: Method, components: Json): Json {
  const handler = route.spec.handlers[method]!;
  const doc = route.methods[method]!;
  const { op, options } = handler.spec;
  const pathParams = [...route.spec.path.matchAll(/\[(\w+)\]/g)].map((m) => m[1]);
  const input = jsonSchema(op.input, 'input', components);
  const body = options.body === false ? null : requestBody(input, pathParams, options.wrapBody);
  const parameters: Json[] = pathParams.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
  if (doc.query) {
    const q = jsonSchema(doc.query, 'input', components);
    for (const [name, schema] of Object.entries((q.properties ?? {}) as Json)) parameters.push({ name, in: 'query', required: false, schema });
  }
  const status = String(options.status ?? (doc.answer ? 200 : 204));
  const responses: Json = {
    [status]: doc.answer
      ? { description: doc.summary, content: { 'application/json': { schema: jsonSchema(doc.answer, 'output', components) } } }
      : { description: 'Done; no body' },
  };
  const errors = [401, ...(body || doc.query || method !== 'GET' ? [400] : []), ...(method !== 'GET' ? [403] : []),
    ...(pathParams.length ? [404] : []), ...(method !== 'GET' ? [409] : []), ...(body ? [413] : [])].sort();
  for (const code of errors) responses[code] = { $ref: `#/components/responses/E${code}` };
  return {
    operationId: op.name, summary: doc.summary, ...(doc.description ? { description: doc.description } : {}),
    tags: [route.spec.path.split('/')[3]],
    ...(parameters.length ? { parameters } : {}),
    ...(body ? { requestBody: { required: true, content: { 'application/json': { schema: body } } } } : {}),
    responses,
  };
}

export function openApiDocument(): Json {
  const components: Json = {};
  const paths: Json = {};
  for (const route of apiDocs) {
    const item: Json = {};
    for (const method of Object.keys(route.spec.handlers) as Method[]) {
      if (!route.methods[method]) throw new Error(`${route.spec.path}: ${method} is served but not described in lib/server/openapi/registry.ts`);
      item[method.toLowerCase()] = operationOf(route, method, components);
    }
    paths[openApiPath(route.spec.path)] = item;
  }
  paths['/openapi.json'] = {
    get: {
      operationId: 'openapi', summary: 'This document', tags: ['meta'], security: [],
      responses: { 200: { description: 'The OpenAPI 3.1 description of /api/v1', content: { 'application/json': { schema: { type: 'object' } } } } },
    },
  };
  const error = jsonSchema(errorAnswer, 'output', components);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Meshplane API', version: '1',
      description: 'Projects, private networks, members, peers, firewall and devices of a Meshplane control plane. Errors are {"error": {code, message, field?}}; lists are {"items": […]}; timestamps are ISO 8601 UTC.',
    },
    servers: [{ url: '/api/v1' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API token (Settings → API tokens, or `npm run cli -- token create`)' } },
      schemas: components,
      responses: Object.fromEntries(Object.entries(errorStatus).map(([code, description]) =>
        [`E${code}`, { description, content: { 'application/json': { schema: error } } }])),
    },
  };
}
