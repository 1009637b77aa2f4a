import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import ipaddr from 'ipaddr.js';
import { type Cidr, parseAllowEntry } from '../core/delivery/agent-address';

const cidr = z.string().refine((v) => {
  try { ipaddr.parseCIDR(v); return true; } catch { return false; }
}, 'must be a CIDR such as 10.64.0.0/10');

const base64Key = z.string().refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes in base64');

/** An absolute http(s) URL with no path beyond '/', no query or fragment; kept without the '/'. */
const publicUrlSchema = z.string().superRefine((v, ctx) => {
  let u: URL;
  try { u = new URL(v); } catch { ctx.addIssue({ code: 'custom', message: `"${v}" is not an absolute URL such as https://mesh.example.com` }); return; }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') ctx.addIssue({ code: 'custom', message: `"${v}" must start with http:// or https://` });
  else if (u.pathname !== '/' || u.search || u.hash || u.username || u.password) ctx.addIssue({ code: 'custom', message: `"${v}" must be just the scheme, host and port (no path, query or credentials), e.g. https://mesh.example.com` });
}).transform((v) => new URL(v).origin);

/** Where the embedded database and generated secrets live, unless MESHPLANE_DATA_DIR says. */
export const defaultDataDir = '.data';

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    MESHPLANE_DATA_DIR: z.string().default(defaultDataDir),
    AUTH_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    MESHPLANE_ENCRYPTION_KEY: base64Key.optional(),
    MESHPLANE_SIGNING_KEY: base64Key.optional(),
    WORKER_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
    MESHPLANE_DNS_ZONE: z.string().regex(/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be a lower-case DNS name').default('mesh.internal'),
    MESHPLANE_POOL: cidr.default('10.64.0.0/10'),
    MESHPLANE_TRUSTED_PROXIES: z.string().default('').transform((v, ctx) => {
      const list = v.split(',').map((s) => s.trim()).filter(Boolean);
      for (const item of list) {
        if (!cidr.safeParse(item.includes('/') ? item : `${item}/${item.includes(':') ? 128 : 32}`).success) {
          ctx.addIssue({ code: 'custom', message: `"${item}" is not an IP or CIDR` });
        }
      }
      return list;
    }),
    // Addresses the push worker may reach although they are loopback, link-local… (agent-address.ts).
    MESHPLANE_AGENT_URL_ALLOW: z.string().default('').transform((v, ctx) => {
      const list: Cidr[] = [];
      for (const item of v.split(',').map((s) => s.trim()).filter(Boolean)) {
        try { list.push(parseAllowEntry(item)); } catch { ctx.addIssue({ code: 'custom', message: `"${item}" is not an IP or CIDR` }); }
      }
      return list;
    }),
    MESHPLANE_ADDRESS_COOLDOWN_SECONDS: z.coerce.number().int().min(0).default(3600),
    // An instance joined with an ephemeral key is released after this long offline (lib/server/join-keys/release.ts).
    MESHPLANE_EPHEMERAL_GRACE_MINUTES: z.coerce.number().min(0).default(10),
    MESHPLANE_DEV_WORKER_INTERVAL_MS: z.coerce.number().int().min(0).default(3000),
    MESHPLANE_WORKER_INTERVAL_MS: z.coerce.number().int().min(0).default(30_000),
    // Each claim scans and sorts the due hosts, so fewer, larger claims cost PostgreSQL less: a
    // 20,000-host change delivered by two processes, 7.7–8.7 s of its CPU at 500, 4.5 s at 2,000.
    MESHPLANE_PUSH_BATCH: z.coerce.number().int().min(1).default(2000),
    MESHPLANE_PUSH_CONCURRENCY: z.coerce.number().int().min(1).default(64),
    MESHPLANE_PUSH_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000),
    AUTH_URL: z.url({ protocol: /^https?$/ }).optional(),
    // The address hosts reach the control plane at (install command, enrol command, join).
    MESHPLANE_PUBLIC_URL: publicUrlSchema.optional(),
    MESHPLANE_SIGNUP: z.enum(['first', 'open', 'closed'], { error: 'must be first, open or closed' }).default('first'),
    MESHPLANE_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    OIDC_ISSUER: z.url().optional(),
    OIDC_CLIENT_ID: z.string().min(1).optional(),
    OIDC_CLIENT_SECRET: z.string().min(1).optional(),
    OIDC_NAME: z.string().default('Single sign-on'),
  })
  .superRefine((env, ctx) => {
    const oidc = [env.OIDC_ISSUER, env.OIDC_CLIENT_ID, env.OIDC_CLIENT_SECRET].filter(Boolean).length;
    if (oidc !== 0 && oidc !== 3) {
      ctx.addIssue({ code: 'custom', path: ['OIDC_ISSUER'], message: 'OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET go together' });
    }
    if (env.NODE_ENV === 'production' && !env.AUTH_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['AUTH_SECRET'], message: 'is required in production (openssl rand -base64 32)' });
    }
  });

export type Env = z.infer<typeof envSchema> & { AUTH_SECRET: string; MESHPLANE_ENCRYPTION_KEY: string };

export class EnvError extends Error {}

/** In development, secrets the operator did not give are made once and kept in the data dir. */
function persistedSecret(dataDir: string, file: string): string {
  const full = path.join(dataDir, file);
  if (existsSync(full)) return readFileSync(full, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const value = randomBytes(32).toString('base64');
  writeFileSync(full, value + '\n', { mode: 0o600 });
  return value;
}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== ''));
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || 'environment'}: ${i.message}`);
    throw new EnvError(`Invalid environment:\n${lines.join('\n')}`);
  }
  const env = result.data;
  return {
    ...env,
    AUTH_SECRET: env.AUTH_SECRET ?? persistedSecret(env.MESHPLANE_DATA_DIR, 'auth-secret'),
    // Without an explicit key, one is kept beside the data: fine for one machine, documented.
    MESHPLANE_ENCRYPTION_KEY: env.MESHPLANE_ENCRYPTION_KEY ?? persistedSecret(env.MESHPLANE_DATA_DIR, 'encryption-key'),
  };
}

let cached: Env | undefined;
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
