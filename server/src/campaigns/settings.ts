import { DEFAULT_CAMPAIGN_SETTINGS, type CampaignSettings, type CampaignSettingsBody } from '../../../core/campaigns.js';
import type { Organization, OrganizationRepository } from '../orgs/repository.js';
import type { OrganizationCache } from '../orgs/service.js';
import { notFound } from '../http/errors.js';

/** A clinic's campaign settings, the defaults filled in. */
export function campaignSettingsOf(org: Pick<Organization, 'settings'> | null | undefined): CampaignSettings {
  const own = org?.settings.campaigns ?? {};
  return {
    agentsMayExceed50: own.agentsMayExceed50 ?? DEFAULT_CAMPAIGN_SETTINGS.agentsMayExceed50,
    ratePerSecond: own.ratePerSecond ?? DEFAULT_CAMPAIGN_SETTINGS.ratePerSecond,
    frequencyCapHours: own.frequencyCapHours ?? DEFAULT_CAMPAIGN_SETTINGS.frequencyCapHours,
    optOutLine: { ...DEFAULT_CAMPAIGN_SETTINGS.optOutLine, ...(own.optOutLine ?? {}) },
  };
}

/** GET/PUT /v1/campaign-settings: read by everyone, changed by admins (the route checks the role). */
export class CampaignSettingsService {
  constructor(private readonly deps: { orgs: OrganizationRepository; orgCache: OrganizationCache }) {}

  async get(orgId: string): Promise<CampaignSettings> {
    return campaignSettingsOf(await this.deps.orgs.findById(orgId));
  }

  async update(orgId: string, patch: CampaignSettingsBody): Promise<CampaignSettings> {
    const current = await this.get(orgId);
    const next: CampaignSettings = { ...current, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) } as CampaignSettings;
    const org = await this.deps.orgs.updateSettings(orgId, { campaigns: next });
    if (!org) throw notFound('This clinic');
    this.deps.orgCache.invalidate(orgId);
    return campaignSettingsOf(org);
  }
}
