/**
 * Records the sentiment of a lead's inbound text on the lead (`lastInboundAt`, `lastInboundSentiment`), the basis of
 * the Call today rule "warm lead who replied positively" (core/views.ts), through the one lead-change path.
 *
 * Called by the SMS service for each inbound text that is not an opt-out/opt-in keyword (server/src/sms/service.ts,
 * `receive`, after the `sms_inbound` timeline entry).
 */
import { textSentiment } from '../scoring/sentiment.js';
import type { ChangeActor, LeadChanges } from './changes.js';

export async function recordInboundText(
  changes: LeadChanges,
  orgId: string,
  leadId: string,
  text: { body: string; at: Date; objections?: readonly string[] },
  actor: ChangeActor,
): Promise<void> {
  const sentiment = textSentiment(text.body, text.objections);
  await changes.apply(orgId, leadId, () => ({ set: { lastInboundAt: text.at, lastInboundSentiment: sentiment } }), { actor });
}
