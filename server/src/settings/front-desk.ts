/**
 * The clinic's front-desk number (issue 13): during an AI agent call, a lead who asks for a person is transferred there
 * (the call carries a transferCall tool to it, server/src/calls/connect.ts `frontDeskTool`). Read at each call, so a
 * change applies to the next call without saving the agent in Vapi again. `GET/PUT /v1/settings/front-desk`.
 */
import { z } from 'zod';
import { unprocessable } from '../http/errors.js';
import { validate } from '../http/validate.js';
import type { OrganizationRepository } from '../orgs/repository.js';
import type { OrganizationCache } from '../orgs/service.js';
import type { IntegrationRepository } from './repository.js';

export const frontDeskBody = z
  .object({
    number: z
      .string()
      .trim()
      .regex(/^\+[1-9]\d{6,14}$/, 'number must be in international format (E.164), for example +12125550123')
      .nullable(),
  })
  .strict();

export interface FrontDeskView {
  /** Null when the AI agent does not transfer calls. */
  number: string | null;
}

export async function frontDesk(orgs: OrganizationRepository, orgId: string): Promise<FrontDeskView> {
  const org = await orgs.findById(orgId);
  return { number: org?.settings.frontDeskNumber ?? null };
}

/** Saves (or clears, with null) the number; the clinic's own calling number is refused, as a transfer to it goes nowhere. */
export async function saveFrontDesk(
  deps: { orgs: OrganizationRepository; orgCache: OrganizationCache; integrations: IntegrationRepository },
  orgId: string,
  input: unknown,
): Promise<FrontDeskView> {
  const { number } = validate(frontDeskBody, input, 'front-desk number');
  if (number) {
    const twilio = await deps.integrations.twilio(orgId);
    if (twilio?.phoneNumber === number) {
      throw unprocessable('FRONT_DESK_IS_CLINIC_NUMBER', `${number} is the number the AI agent calls from. Enter the phone the front desk answers, e.g. the reception line.`);
    }
  }
  await deps.orgs.updateSettings(orgId, { frontDeskNumber: number });
  deps.orgCache.invalidate(orgId);
  return { number };
}
