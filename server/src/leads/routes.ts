import Router from '@koa/router';
import { auth, requireAdmin } from '../auth/middleware.js';
import { validate } from '../http/validate.js';
import { csvStream } from './csv.js';
import { appointmentsBody, bulkUpsertBody, idParams, leadInput, listQuery, noteBody, statusChangeBody } from './schema.js';
import type { LeadService } from './service.js';

/** Thin handlers: parse, call the service, shape the reply. */
export function leadRoutes(leads: LeadService): Router {
  const router = new Router();

  router.get('/leads', async (ctx) => {
    const query = validate(listQuery, ctx.query, 'query');
    ctx.body = await leads.list(auth(ctx).orgId, query);
  });

  router.get('/leads.csv', async (ctx) => {
    const query = validate(listQuery, ctx.query, 'query');
    const { orgId } = auth(ctx);
    const stamp = new Date().toISOString().slice(0, 10);
    ctx.set('Content-Type', 'text/csv; charset=utf-8');
    ctx.set('Content-Disposition', `attachment; filename="leads-${stamp}.csv"`);
    ctx.body = csvStream(leads.exportCursor(orgId, query));
  });

  router.post('/leads', async (ctx) => {
    const body = validate(leadInput, ctx.request.body, 'lead');
    ctx.status = 201;
    ctx.body = { lead: await leads.create(auth(ctx), body) };
  });

  router.put('/leads', requireAdmin, async (ctx) => {
    const body = validate(bulkUpsertBody, ctx.request.body, 'lead list');
    ctx.body = await leads.bulkUpsert(auth(ctx), body.leads);
  });

  router.get('/leads/:id', async (ctx) => {
    const { id } = validate(idParams, ctx.params, 'lead id');
    ctx.body = await leads.detail(auth(ctx), id);
  });

  router.patch('/leads/:id', async (ctx) => {
    const { id } = validate(idParams, ctx.params, 'lead id');
    const body = validate(statusChangeBody, ctx.request.body, 'status change');
    ctx.body = { lead: await leads.changeStatus(auth(ctx), id, body) };
  });

  router.post('/leads/:id/revert', async (ctx) => {
    const { id } = validate(idParams, ctx.params, 'lead id');
    ctx.body = { lead: await leads.revertLost(auth(ctx), id) };
  });

  router.post('/leads/:id/notes', async (ctx) => {
    const { id } = validate(idParams, ctx.params, 'lead id');
    const body = validate(noteBody, ctx.request.body, 'note');
    ctx.status = 201;
    ctx.body = { note: await leads.addNote(auth(ctx), id, body.body) };
  });

  router.put('/appointments', requireAdmin, async (ctx) => {
    const body = validate(appointmentsBody, ctx.request.body, 'appointment list');
    ctx.body = { items: await leads.upsertAppointments(auth(ctx), body.appointments) };
  });

  return router;
}
