import Router from '@koa/router';
import { Readable } from 'node:stream';
import {
  campaignCreateBody,
  campaignIdParams,
  campaignPatchBody,
  campaignSettingsBody,
  campaignStartBody,
  previewQuery,
  recipientsQuery,
  templateBody,
  templateIdParams,
} from '../../../core/campaigns.js';
import { auth, requireAdmin } from '../auth/middleware.js';
import { validate } from '../http/validate.js';
import { csvRow } from '../leads/csv.js';
import { toRecipient } from './repository.js';
import type { CampaignService } from './service.js';
import type { CampaignSettingsService } from './settings.js';
import type { TemplateService } from './templates.js';

const RECIPIENT_CSV = ['leadId', 'name', 'phone', 'status', 'reason', 'segments', 'sentAt', 'deliveredAt', 'repliedAt', 'optedOutAt', 'errorCode', 'errorMessage'] as const;

/** Thin handlers: SMS templates, campaigns and their report, campaign settings. */
export function campaignRoutes(deps: { campaigns: CampaignService; templates: TemplateService; settings: CampaignSettingsService }): Router {
  const { campaigns, templates, settings } = deps;
  const router = new Router();

  router.get('/sms-templates', async (ctx) => {
    ctx.body = { items: await templates.list(auth(ctx).orgId) };
  });
  router.post('/sms-templates', async (ctx) => {
    const body = validate(templateBody, ctx.request.body, 'template');
    ctx.status = 201;
    ctx.body = { template: await templates.create(auth(ctx), body) };
  });
  router.put('/sms-templates/:id', async (ctx) => {
    const { id } = validate(templateIdParams, ctx.params, 'template id');
    const body = validate(templateBody, ctx.request.body, 'template');
    ctx.body = { template: await templates.update(auth(ctx), id, body) };
  });
  router.delete('/sms-templates/:id', async (ctx) => {
    const { id } = validate(templateIdParams, ctx.params, 'template id');
    await templates.delete(auth(ctx), id);
    ctx.status = 204;
  });

  router.get('/campaign-settings', async (ctx) => {
    ctx.body = { settings: await settings.get(auth(ctx).orgId) };
  });
  router.put('/campaign-settings', requireAdmin, async (ctx) => {
    const body = validate(campaignSettingsBody, ctx.request.body, 'campaign settings');
    ctx.body = { settings: await settings.update(auth(ctx).orgId, body) };
  });

  router.get('/campaigns', async (ctx) => {
    ctx.body = { items: await campaigns.list(auth(ctx)) };
  });
  router.post('/campaigns', async (ctx) => {
    const body = validate(campaignCreateBody, ctx.request.body, 'campaign');
    ctx.status = 201;
    ctx.body = { campaign: await campaigns.create(auth(ctx), body) };
  });
  router.get('/campaigns/:id', async (ctx) => {
    const { id } = validate(campaignIdParams, ctx.params, 'campaign id');
    ctx.body = { campaign: await campaigns.get(auth(ctx), id) };
  });
  router.patch('/campaigns/:id', async (ctx) => {
    const { id } = validate(campaignIdParams, ctx.params, 'campaign id');
    const body = validate(campaignPatchBody, ctx.request.body, 'campaign change');
    ctx.body = { campaign: await campaigns.patch(auth(ctx), id, body) };
  });
  router.delete('/campaigns/:id', async (ctx) => {
    const { id } = validate(campaignIdParams, ctx.params, 'campaign id');
    await campaigns.delete(auth(ctx), id);
    ctx.status = 204;
  });
  router.get('/campaigns/:id/preview', async (ctx) => {
    const { id } = validate(campaignIdParams, ctx.params, 'campaign id');
    const q = validate(previewQuery, ctx.query, 'query');
    ctx.body = { preview: await campaigns.preview(auth(ctx), id, q.leadId) };
  });
  router.post('/campaigns/:id/start', async (ctx) => {
    const { id } = validate(campaignIdParams, ctx.params, 'campaign id');
    const body = validate(campaignStartBody, ctx.request.body ?? {}, 'start');
    ctx.body = { campaign: await campaigns.start(auth(ctx), id, body.sendAt) };
  });
  for (const action of ['pause', 'resume', 'cancel'] as const) {
    router.post(`/campaigns/:id/${action}`, async (ctx) => {
      const { id } = validate(campaignIdParams, ctx.params, 'campaign id');
      ctx.body = { campaign: await campaigns[action](auth(ctx), id) };
    });
  }
  router.get('/campaigns/:id/recipients', async (ctx) => {
    const { id } = validate(campaignIdParams, ctx.params, 'campaign id');
    const q = validate(recipientsQuery, ctx.query, 'query');
    ctx.body = await campaigns.recipients(auth(ctx), id, q);
  });
  router.get('/campaigns/:id/recipients.csv', async (ctx) => {
    const { id } = validate(campaignIdParams, ctx.params, 'campaign id');
    const { doc, cursor } = await campaigns.recipientCursor(auth(ctx), id);
    const slug = doc.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'campaign';
    ctx.set('Content-Type', 'text/csv; charset=utf-8');
    ctx.set('Content-Disposition', `attachment; filename="${slug}-recipients.csv"`);
    async function* rows() {
      yield `\uFEFF${csvRow([...RECIPIENT_CSV])}`;
      try {
        for await (const r of cursor) {
          const rec = toRecipient(r);
          yield csvRow(RECIPIENT_CSV.map((c) => rec[c]));
        }
      } finally {
        await cursor.close();
      }
    }
    ctx.body = Readable.from(rows());
  });
  return router;
}
