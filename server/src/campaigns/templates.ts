import type { SmsTemplate, TemplateBody } from '../../../core/campaigns.js';
import { BUILT_IN_TEMPLATES, isBuiltInTemplateId, MAX_CAMPAIGN_SEGMENTS, parseTemplate, unknownFieldsMessage } from '../../../core/templates.js';
import { badRequest, conflict, notFound } from '../http/errors.js';
import type { Actor } from '../leads/service.js';
import type { CampaignRepository } from './repository.js';

const builtIns: SmsTemplate[] = BUILT_IN_TEMPLATES.map((t) => ({ ...t, fields: parseTemplate(t.body).fields, updatedAt: null }));

/** A body's merge fields must all be known: a 400 naming the unknown ones. */
export function assertKnownFields(body: string): void {
  const message = unknownFieldsMessage(parseTemplate(body));
  if (message) throw badRequest('UNKNOWN_MERGE_FIELD', message, { unknown: parseTemplate(body).unknown });
}

/** SMS templates per clinic; the guide's three built-ins are listed first and cannot be changed or deleted. */
export class TemplateService {
  constructor(private readonly deps: { repo: CampaignRepository; now: () => Date }) {}

  async list(orgId: string): Promise<SmsTemplate[]> {
    return [...builtIns, ...(await this.deps.repo.listTemplates(orgId))];
  }

  /** The body of a template this clinic can use (a built-in or its own). */
  async get(orgId: string, id: string): Promise<SmsTemplate> {
    const builtIn = builtIns.find((t) => t.id === id);
    if (builtIn) return builtIn;
    const own = await this.deps.repo.template(orgId, id);
    if (!own) throw notFound('This template');
    return own;
  }

  async create(actor: Actor, input: TemplateBody): Promise<SmsTemplate> {
    assertKnownFields(input.body);
    return this.deps.repo.insertTemplate(actor.orgId, { ...input, createdBy: actor.user.id }, this.deps.now());
  }

  async update(actor: Actor, id: string, input: TemplateBody): Promise<SmsTemplate> {
    this.refuseBuiltIn(id, 'changed');
    assertKnownFields(input.body);
    const updated = await this.deps.repo.updateTemplate(actor.orgId, id, input, this.deps.now());
    if (!updated) throw notFound('This template');
    return updated;
  }

  async delete(actor: Actor, id: string): Promise<void> {
    this.refuseBuiltIn(id, 'deleted');
    if (!(await this.deps.repo.deleteTemplate(actor.orgId, id))) throw notFound('This template');
  }

  private refuseBuiltIn(id: string, what: string): void {
    if (isBuiltInTemplateId(id)) {
      throw conflict('BUILT_IN_TEMPLATE', `Built-in templates cannot be ${what}. Save a copy as your own template and change that instead.`);
    }
  }
}

export { MAX_CAMPAIGN_SEGMENTS };
