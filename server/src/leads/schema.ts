import { z } from 'zod';
import { LEAD_STATUSES, TIERS } from '../../../core/contracts.js';

const objectId = z.string().regex(/^[0-9a-f]{24}$/i, 'must be a lead id');
export const idParams = z.object({ id: objectId });

export const listQuery = z.object({
  tier: z.enum(TIERS).optional(),
  status: z.enum(LEAD_STATUSES).optional(),
  q: z.string().trim().max(100, 'search is at most 100 characters').optional(),
  page: z.coerce.number().int().min(1, 'pages start at 1').max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100, 'at most 100 leads per page').default(20),
}).strict();
export type ListQuery = z.infer<typeof listQuery>;

const consent = z.object({
  sms: z.boolean(),
  calls: z.boolean(),
  source: z.string().max(200).nullable().default(null),
  at: z.iso.datetime({ offset: true }).nullable().default(null),
});

export const leadInput = z.object({
  name: z.string().trim().min(1, 'a name is required').max(200),
  phone: z.string().trim().min(1, 'a phone number is required').max(40),
  email: z.email('must be an email address').max(320).nullable().optional(),
  services: z.array(z.string().trim().min(1).max(80)).max(50).optional(),
  externalId: z.string().trim().min(1).max(200).optional(),
  leadStatus: z.enum(LEAD_STATUSES).optional(),
  leadScore: z.number().int().min(0).max(100).optional(),
  lastContactAt: z.iso.datetime({ offset: true }).nullable().optional(),
  timezone: z.string().max(64).nullable().optional(),
  consent: consent.nullable().optional(),
});
export type LeadInput = z.infer<typeof leadInput>;

export const bulkUpsertBody = z.object({ leads: z.array(leadInput).min(1, 'send at least one lead').max(1000, 'at most 1000 leads per request') });

export const statusChangeBody = z
  .object({
    status: z.enum(LEAD_STATUSES),
    expectedStatus: z.enum(LEAD_STATUSES).optional(),
    expectedVersion: z.number().int().min(0).optional(),
  })
  .strict();

export const noteBody = z.object({ body: z.string().trim().min(1, 'the note is empty').max(5000, 'at most 5000 characters') }).strict();

export const appointmentsBody = z.object({
  appointments: z
    .array(
      z
        .object({
          externalId: z.string().trim().min(1).max(200),
          contactId: objectId.optional(),
          contactExternalId: z.string().trim().min(1).max(200).optional(),
          serviceType: z.string().trim().min(1).max(120),
          scheduledAt: z.iso.datetime({ offset: true }),
          status: z.enum(['scheduled', 'completed', 'cancelled']).default('scheduled'),
        })
        .refine((a) => a.contactId || a.contactExternalId, { message: 'give contactId or contactExternalId', path: ['contactId'] }),
    )
    .min(1)
    .max(1000),
});
