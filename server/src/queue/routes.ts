import Router from '@koa/router';
import { claimParams, queueNextBody } from '../../../core/team.js';
import { auth } from '../auth/middleware.js';
import { validate } from '../http/validate.js';
import type { QueueService } from './service.js';

/** The call queue: next lead (claiming it), renew the claim, release it. */
export function queueRoutes(queue: QueueService): Router {
  const router = new Router();

  router.post('/queue/next', async (ctx) => {
    const body = validate(queueNextBody, ctx.request.body ?? {}, 'queue request');
    ctx.body = await queue.next(auth(ctx), body);
  });

  router.post('/queue/claims/:leadId/renew', async (ctx) => {
    const { leadId } = validate(claimParams, ctx.params, 'lead id');
    ctx.body = { claim: await queue.renew(auth(ctx), leadId) };
  });

  router.delete('/queue/claims/:leadId', async (ctx) => {
    const { leadId } = validate(claimParams, ctx.params, 'lead id');
    await queue.release(auth(ctx), leadId);
    ctx.status = 204;
  });

  return router;
}
