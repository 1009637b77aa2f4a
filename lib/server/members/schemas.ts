import { z } from 'zod';
import { memberKinds } from '../db/schema';
import { dnsLabelSchema } from '../../core/names';
import { labelSchema, tagsSchema } from '../../core/networks/schemas';

export const maxInstances = 1000;

export const instanceCountSchema = z.coerce.number({ error: 'Enter a whole number.' })
  .int('Enter a whole number.').min(0, 'Cannot be negative.').max(maxInstances, `At most ${maxInstances} instances.`);

export const processesSchema = z.record(
  z.string().pipe(dnsLabelSchema.refine((s) => s !== 'instance' && s !== 'dev', 'This process name is reserved.')),
  instanceCountSchema,
).refine((p) => Object.keys(p).length <= 20, 'At most 20 processes.');

export const memberCreateSchema = z.object({
  kind: z.enum(memberKinds, { error: 'Kind must be application, addon or external.' }),
  label: labelSchema,
  tags: tagsSchema.default([]),
  processes: processesSchema.optional(),
  instances: instanceCountSchema.optional(),
});

export const memberUpdateSchema = z.object({ label: labelSchema.optional(), tags: tagsSchema.optional() });

/** PUT /members/{id}/processes: `{"web": 3}` for applications or `{"instances": 3}` for the others. */
export const scaleSchema = z.union([
  z.object({ instances: instanceCountSchema }).strict(),
  processesSchema,
]);
