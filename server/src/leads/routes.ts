import Router from '@koa/router';
import { auth, requireAdmin } from '../auth/middleware.js';
import { validate } from '../http/validate.js';
import { csvStream } from './csv.js';
import {
  appointmentsBody,
  bulkUpsertBody,
  followUpCreateBody,
  followUpIdParams,
  followUpListQuery,
  followUpPatchBody,
  idParams,
  leadInput,
  listQuery,
  noteBody,
  statusChangeBody,
  viewsQuery,
} from './schema.js';
import type { LeadService } from './service.js';
import type { FollowUpService } from './follow-ups.js';

/** Thin handlers: parse, call the service, shape the reply. */
export function leadRoutes(leads: LeadService): Router {
  const router = new Router();

  router.get('/leads', async (ctx) => {
    const query = validate(listQuery, ctx.query, 'query');
    ctx.body = await leads.list(auth(ctx), query);
  });

  router.get('/views', async (ctx) => {
    const query = validate(viewsQuery, ctx.query, 'query');
    ctx.body = await leads.viewCounts(auth(ctx), query);
  });

  router.get('/leads.csv', async (ctx) => {
    const query = validate(listQuery, ctx.query, 'query');
    const actor = auth(ctx);
    const stamp = new Date().toISOString().slice(0, 10);
    ctx.set('Content-Type', 'text/csv; charset=utf-8');
    ctx.set('Content-Disposition', `attachment; filename="leads-${stamp}.csv"`);
    ctx.body = csvStream(leads.exportCursor(actor, query));
  });

  router.post('/leads', async (ctx) => {
    const body = validate(leadInput, ctx.request.body, 'lead');
    ctx.status = 201;
    ctx.body = { lead: await leads.create(auth(ctx), body) };
  });

  router.put('/leads', requireAdmin, async (ctx) => {
    const body = validate(bulkUpsertBody, ctx.request.body, 'lead list');
    ctx.body = await leads.bulkUpsert(auth(ctx), body.leads, { restoreDeleted: body.restoreDeleted });
  });

  router.get('/leads/:id', async (ctx) => {
    const { id } = validate(idParams, ctx.params, 'lead id');
    ctx.body = await leads.detail(auth(ctx), id);
  });

  router.patch('/leads/:id', async (ctx) => {
    const { id } = validate(idParams, ctx.params, 'lead id');
    const body = validate(statusChangeBody, ctx.request.body, 'lead change');
    ctx.body = { lead: await leads.patch(auth(ctx), id, body) };
  });

  router.delete('/leads/:id', requireAdmin, async (ctx) => {
    const { id } = validate(idParams, ctx.params, 'lead id');
    ctx.body = await leads.delete(auth(ctx), id);
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

/** Follow-ups: schedule on a lead, list the clinic's (due overdue / today / upcoming), done, snooze, edit, delete. */
export function followUpRoutes(followUps: FollowUpService): Router {
  const router = new Router();

  router.post('/leads/:id/follow-ups', async (ctx) => {
    const { id } = validate(idParams, ctx.params, 'lead id');
    const body = validate(followUpCreateBody, ctx.request.body, 'follow-up');
    ctx.status = 201;
    ctx.body = { followUp: await followUps.schedule(auth(ctx), id, body) };
  });

  router.get('/follow-ups', async (ctx) => {
    const query = validate(followUpListQuery, ctx.query, 'query');
    ctx.body = await followUps.list(auth(ctx), query);
  });

  router.patch('/follow-ups/:id', async (ctx) => {
    const { id } = validate(followUpIdParams, ctx.params, 'follow-up id');
    const body = validate(followUpPatchBody, ctx.request.body, 'follow-up change');
    ctx.body = { followUp: await followUps.update(auth(ctx), id, body) };
  });

  router.delete('/follow-ups/:id', async (ctx) => {
    const { id } = validate(followUpIdParams, ctx.params, 'follow-up id');
    await followUps.delete(auth(ctx), id);
    ctx.status = 204;
  });

  return router;
}
