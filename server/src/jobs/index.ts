/**
 * The one background-job mechanism (DESIGN.md "Background work"; the decision is in ./README.md): every step is state
 * in MongoDB claimed atomically, so it runs on the embedded engine and on any number of instances at once.
 * - The periodic jobs, every JOBS_INTERVAL_MS: due follow-up reminders, the timeline outbox flush, scheduled texts,
 *   call reconciliation.
 * - Campaign sending, every CAMPAIGN_TICK_MS: it keeps a number's pace (a text a second), which a 15 s interval cannot.
 * An interval of 0 turns a loop off: tests drive the jobs themselves (`runPeriodic()`, `campaigns.runOnce()`).
 */
import type { Logger } from '../log.js';
import type { CampaignNotifier } from '../campaigns/notifier.js';
import type { CampaignSender } from '../campaigns/sender.js';

export interface JobTargets {
  followUps: { remindDue(): Promise<unknown> };
  changes: { flushTimelines(): Promise<unknown> };
  sms: { sendDue(): Promise<unknown> };
  calls: { reconcile(): Promise<unknown> };
  campaignSender: CampaignSender;
  campaignNotifier: CampaignNotifier;
}

export interface JobSchedule {
  intervalMs: number;
  campaignTickMs: number;
}

export class Jobs {
  private periodicTimer: NodeJS.Timeout | null = null;
  private campaignTimer: NodeJS.Timeout | null = null;
  private periodic: Promise<void> | null = null;
  private campaignStep: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly targets: JobTargets,
    private readonly logger: Logger,
  ) {}

  start(schedule: JobSchedule): void {
    if (schedule.intervalMs > 0) {
      this.periodicTimer = setInterval(() => void this.runPeriodic(), schedule.intervalMs);
      this.periodicTimer.unref();
    }
    if (schedule.campaignTickMs > 0) {
      const tick = () => {
        if (this.stopped) return;
        this.campaignStep = this.runCampaignStep().finally(() => {
          this.campaignStep = null;
          if (!this.stopped) {
            this.campaignTimer = setTimeout(tick, schedule.campaignTickMs);
            this.campaignTimer.unref();
          }
        });
      };
      this.campaignTimer = setTimeout(tick, 0);
      this.campaignTimer.unref();
    }
  }

  /** One round of the periodic jobs (skipped when the last one still runs). */
  async runPeriodic(): Promise<void> {
    if (this.periodic) return this.periodic;
    this.periodic = (async () => {
      // Each job on its own: one failing does not hold the others back.
      for (const [name, run] of [
        ['follow-up reminders', () => this.targets.followUps.remindDue()],
        ['timeline flush', () => this.targets.changes.flushTimelines()],
        ['scheduled texts', () => this.targets.sms.sendDue()],
        ['call reconciliation', () => this.targets.calls.reconcile()],
      ] as const) {
        try {
          await run();
        } catch (err) {
          this.logger.warn({ job: name, err: (err as Error).message }, 'background job failed');
        }
      }
    })();
    try {
      await this.periodic;
    } finally {
      this.periodic = null;
    }
  }

  private async runCampaignStep(): Promise<void> {
    try {
      await this.targets.campaignSender.step();
    } catch (err) {
      this.logger.warn({ job: 'campaign sending', err: (err as Error).message }, 'background job failed');
    }
  }

  /** Graceful stop: no new steps; waits for the running ones and the texts in flight, then the last campaign events. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.periodicTimer) clearInterval(this.periodicTimer);
    if (this.campaignTimer) clearTimeout(this.campaignTimer);
    await Promise.all([this.periodic, this.campaignStep]);
    await this.targets.campaignSender.idle();
    await this.targets.campaignNotifier.flush();
  }
}
