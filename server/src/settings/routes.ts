import Router from '@koa/router';
import { auth, requireAdmin } from '../auth/middleware.js';
import { validate } from '../http/validate.js';
import { outboundAgentBody, twilioImportBody, vapiKeyBody } from './schema.js';
import type { SettingsService } from './service.js';

export function settingsRoutes(settings: SettingsService): Router {
  const router = new Router();

  router.get('/agents/outbound', async (ctx) => {
    ctx.body = { agent: await settings.outboundAgent(auth(ctx).orgId) };
  });
  router.put('/agents/outbound', requireAdmin, async (ctx) => {
    const body = validate(outboundAgentBody, ctx.request.body, 'outbound agent');
    ctx.body = { agent: await settings.saveOutboundAgent(auth(ctx), body) };
  });
  router.delete('/agents/outbound', requireAdmin, async (ctx) => {
    await settings.removeOutboundAgent(auth(ctx).orgId);
    ctx.status = 204;
  });

  router.get('/telephony/twilio', async (ctx) => {
    ctx.body = { integration: await settings.twilioIntegration(auth(ctx).orgId) };
  });
  router.post('/telephony/twilio', requireAdmin, async (ctx) => {
    const body = validate(twilioImportBody, ctx.request.body, 'Twilio import');
    ctx.body = { integration: await settings.importTwilio(auth(ctx), body) };
  });
  router.delete('/telephony/twilio', requireAdmin, async (ctx) => {
    await settings.removeTwilio(auth(ctx).orgId);
    ctx.status = 204;
  });
  router.put('/telephony/vapi', requireAdmin, async (ctx) => {
    const body = validate(vapiKeyBody, ctx.request.body, 'Vapi key');
    await settings.connectVapi(auth(ctx).orgId, body.apiKey);
    ctx.body = { connected: true };
  });

  router.get('/settings/front-desk', async (ctx) => {
    ctx.body = { frontDesk: await settings.frontDesk(auth(ctx).orgId) };
  });
  router.put('/settings/front-desk', requireAdmin, async (ctx) => {
    ctx.body = { frontDesk: await settings.saveFrontDesk(auth(ctx).orgId, ctx.request.body) };
  });

  router.get('/settings/keywords', async (ctx) => {
    ctx.body = { keywords: await settings.keywords(auth(ctx).orgId) };
  });
  router.put('/settings/keywords', requireAdmin, async (ctx) => {
    ctx.body = { keywords: await settings.saveKeywords(auth(ctx).orgId, ctx.request.body) };
  });

  return router;
}
