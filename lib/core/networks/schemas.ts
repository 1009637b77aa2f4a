import { z } from 'zod';

export const labelSchema = z.string().trim().min(1, 'Give it a label.').max(100, 'Use at most 100 characters.');
export const descriptionSchema = z.string().trim().max(1000, 'Use at most 1,000 characters.');

/** Tags come as an array (API) or a comma-separated string (forms). */
export const tagsSchema = z
  .union([z.array(z.string()), z.string().transform((s) => s.split(','))])
  .transform((tags) => [...new Set(tags.map((t) => t.trim()).filter(Boolean))])
  .pipe(z.array(z.string().max(32, 'A tag has at most 32 characters.')).max(20, 'Use at most 20 tags.'));

export const networkCreateSchema = z.object({
  label: labelSchema,
  description: descriptionSchema.default(''),
  tags: tagsSchema.default([]),
  cidr: z.string().trim().optional().transform((v) => v || undefined),
});

/** For a PATCH: at least one of `keys` must be given (nothing to set is the caller's mistake). */
export function someOf<T extends Record<string, unknown>>(keys: (keyof T & string)[]) {
  return [(v: T) => keys.some((k) => v[k] !== undefined), { message: `Give at least one of ${keys.join(', ')}.` }] as const;
}

export const networkUpdateSchema = z.object({
  label: labelSchema.optional(),
  description: descriptionSchema.optional(),
  tags: tagsSchema.optional(),
  // Forms send "true"/"false"; JSON clients a boolean.
  autoGateway: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')], { error: 'autoGateway is true or false.' }).optional(),
});
