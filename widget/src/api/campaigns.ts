/**
 * Campaigns and SMS templates over the API (DESIGN.md "Working the list": SMS templates, Campaigns), through the
 * LeadsApiClient the elements receive by context (same token, retry and error handling; CSV as a Blob with the
 * token in the Authorization header).
 */
import type { Campaign, CampaignAudience, CampaignPreview, SmsTemplate } from '../../../core/campaigns.js';
import type { LeadQuery, LeadsApiClient } from './client.js';

export type { Campaign, CampaignAudience, CampaignCounts, CampaignPreview, CampaignStatus, Exclusions, SmsTemplate } from '../../../core/campaigns.js';

/** What the composer sends: the create body (POST /v1/campaigns), and the same fields for PATCH. */
export interface CampaignInput {
  name: string;
  body?: string;
  templateId?: string;
  audience: CampaignAudience;
  /** The value of {link}. */
  link?: string;
  sendAt?: string;
}

/** The board's filter as a campaign audience (the server applies it; "all matching" is never sent as ids). */
export function audienceFromFilter(filter: LeadQuery): CampaignAudience {
  const a: CampaignAudience = {};
  const tier = Array.isArray(filter.tier) ? filter.tier[0] : filter.tier;
  if (tier) a.tier = tier;
  if (filter.status) a.status = filter.status;
  if (filter.q?.trim()) a.q = filter.q.trim();
  if (filter.view) a.view = filter.view;
  if (filter.owner) a.owner = filter.owner;
  if (filter.appointment === 'none') a.noUpcomingAppointment = true;
  return a;
}

const id = (s: string) => encodeURIComponent(s);

export class CampaignsApi {
  constructor(private readonly client: LeadsApiClient) {}

  async templates(signal?: AbortSignal): Promise<SmsTemplate[]> {
    return (await this.client.send<{ items: SmsTemplate[] }>('GET', '/v1/sms-templates', undefined, signal)).items;
  }

  async create(input: CampaignInput): Promise<Campaign> {
    return (await this.client.send<{ campaign: Campaign }>('POST', '/v1/campaigns', input)).campaign;
  }

  /** Edits a draft (409 once it has started). */
  async update(campaignId: string, patch: Partial<CampaignInput>): Promise<Campaign> {
    return (await this.client.send<{ campaign: Campaign }>('PATCH', `/v1/campaigns/${id(campaignId)}`, patch)).campaign;
  }

  /** Deletes a draft. */
  async remove(campaignId: string): Promise<void> {
    await this.client.send<void>('DELETE', `/v1/campaigns/${id(campaignId)}`);
  }

  async preview(campaignId: string, leadId?: string, signal?: AbortSignal): Promise<CampaignPreview> {
    const qs = leadId ? `?leadId=${id(leadId)}` : '';
    return (await this.client.send<{ preview: CampaignPreview }>('GET', `/v1/campaigns/${id(campaignId)}/preview${qs}`, undefined, signal)).preview;
  }

  async action(campaignId: string, action: 'start' | 'pause' | 'resume' | 'cancel', body: { sendAt?: string } = {}): Promise<Campaign> {
    return (await this.client.send<{ campaign: Campaign }>('POST', `/v1/campaigns/${id(campaignId)}/${action}`, body)).campaign;
  }

  async list(signal?: AbortSignal): Promise<Campaign[]> {
    return (await this.client.send<{ items: Campaign[] }>('GET', '/v1/campaigns', undefined, signal)).items;
  }

  async get(campaignId: string, signal?: AbortSignal): Promise<Campaign> {
    return (await this.client.send<{ campaign: Campaign }>('GET', `/v1/campaigns/${id(campaignId)}`, undefined, signal)).campaign;
  }

  /** The recipients as CSV (lead, phone, status, sent, delivered, replied, opted out). */
  recipientsCsv(campaignId: string): Promise<Blob> {
    return this.client.blob(`/v1/campaigns/${id(campaignId)}/recipients.csv`);
  }
}
