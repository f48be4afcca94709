import type { Logger } from '../log.js';
import type { Broadcaster } from '../realtime/broadcaster.js';
import { toCampaign, type CampaignRepository } from './repository.js';

/** At most one `campaign:updated` per campaign per this many ms (a 1,000-text campaign must not send 3,000 events). */
export const CAMPAIGN_EVENT_INTERVAL_MS = 250;
/** How often a sending campaign's replies, opt-outs and segments are recounted in full (they change slowly). */
const EXACT_COUNT_MS = 5_000;

/**
 * Throttled `campaign:updated`: the first change publishes at once, later ones within the interval are folded into one
 * trailing publish. Each publish reads the campaign and recomputes its counts from the recipients at that moment, so the
 * last event always carries the final state. The counts are saved on the campaign for the list.
 */
export class CampaignNotifier {
  private readonly last = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private readonly exactAt = new Map<string, number>();
  private readonly sizes = new Map<string, number>();
  constructor(private readonly deps: { repo: CampaignRepository; broadcaster: Broadcaster; logger: Logger; intervalMs?: number }) {}

  changed(orgId: string, campaignId: string): void {
    const key = `${orgId}:${campaignId}`;
    if (this.timers.has(key)) return;
    // Large campaigns publish less often (1 s at 10,000 recipients): each publish counts the recipients.
    const interval = Math.max(this.deps.intervalMs ?? CAMPAIGN_EVENT_INTERVAL_MS, (this.sizes.get(key) ?? 0) / 10);
    const wait = Math.max(0, (this.last.get(key) ?? 0) + interval - Date.now());
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.last.set(key, Date.now());
      const p = this.publishNow(orgId, campaignId).finally(() => this.running.delete(p));
      this.running.add(p);
    }, wait);
    timer.unref();
    this.timers.set(key, timer);
    if (this.last.size > 5000) {
      this.last.clear();
      this.exactAt.clear();
      this.sizes.clear();
    }
  }

  async publishNow(orgId: string, campaignId: string): Promise<void> {
    try {
      const doc = await this.deps.repo.byId(orgId, campaignId);
      if (!doc) return;
      // A full count reads every recipient: while sending it runs at most every EXACT_COUNT_MS; the final state gets one.
      const key = `${orgId}:${campaignId}`;
      const live = doc.status === 'sending' || doc.status === 'scheduled';
      const exactDue = !live || Date.now() - (this.exactAt.get(key) ?? 0) >= EXACT_COUNT_MS;
      const counts = exactDue ? await this.deps.repo.counts(orgId, campaignId) : await this.deps.repo.progressCounts(orgId, campaignId, doc.counts);
      if (exactDue) this.exactAt.set(key, Date.now());
      this.sizes.set(key, counts.recipients);
      await this.deps.repo.setCounts(orgId, campaignId, counts);
      this.deps.broadcaster.publish(orgId, 'campaign:updated', { campaign: toCampaign({ ...doc, counts }) });
    } catch (err) {
      this.deps.logger.warn({ orgId, campaignId, err: (err as Error).message }, 'campaign:updated not published');
    }
  }

  /** Publishes what is waiting now (a graceful stop). */
  async flush(): Promise<void> {
    const waiting = [...this.timers.entries()];
    for (const [key, timer] of waiting) {
      clearTimeout(timer);
      this.timers.delete(key);
    }
    await Promise.all([...this.running, ...waiting.map(([key]) => this.publishNow(key.split(':')[0]!, key.split(':')[1]!))]);
  }
}
