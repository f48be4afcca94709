/**
 * One campaign's progress and report, shared by the panel's rows: the share of recipients done (sent, failed or
 * skipped), the counts of the report, and the status words.
 */
import type { Campaign, CampaignStatus } from '../../api/campaigns.js';

export const STATUS_WORDS: Record<CampaignStatus, string> = {
  draft: 'Draft',
  scheduled: 'Scheduled',
  sending: 'Sending',
  paused: 'Paused',
  completed: 'Completed',
  cancelled: 'Cancelled',
};

/** 0-100: recipients done (sent, failed or skipped) over recipients; a completed campaign is 100. */
export function progressOf(c: Campaign): number {
  const { recipients, sent, failed, skipped } = c.counts;
  if (c.status === 'completed') return 100;
  if (!recipients) return 0;
  return Math.min(100, Math.floor((100 * (sent + failed + skipped)) / recipients));
}

/** The report's lines, in the order the guide reads them. */
export function reportOf(c: Campaign): Array<[string, number, string]> {
  const k = c.counts;
  const rows: Array<[string, number, string]> = [
    ['Sent', k.sent, 'sent'],
    ['Delivered', k.delivered, 'delivered'],
    ['Failed', k.failed, 'failed'],
    ['Replied', k.replied, 'replied'],
    ['Opted out', k.optedOut, 'opted-out'],
    ['Skipped', k.skipped, 'skipped'],
  ];
  if (typeof k.segments === 'number') rows.push(['Segments used', k.segments, 'segments']);
  return rows;
}

export const canPause = (c: Campaign) => c.status === 'sending' || c.status === 'scheduled';
export const canResume = (c: Campaign) => c.status === 'paused';
export const canCancel = (c: Campaign) => c.status === 'sending' || c.status === 'scheduled' || c.status === 'paused';
