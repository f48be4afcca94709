import Router from '@koa/router';
import { assignBody, assignmentSettingBody, teamPutBody } from '../../../core/team.js';
import { auth, requireAdmin, requireSecretKey } from '../auth/middleware.js';
import { validate } from '../http/validate.js';
import type { OwnerService } from './owners.js';
import type { TeamService } from './service.js';

export function teamRoutes(team: TeamService, owners: OwnerService): Router {
  const router = new Router();

  router.put('/team', requireSecretKey('The team roster'), async (ctx) => {
    const body = validate(teamPutBody, ctx.request.body, 'team roster');
    ctx.body = { users: await team.replace(auth(ctx).orgId, body) };
  });

  router.get('/team', async (ctx) => {
    ctx.body = await team.list(auth(ctx));
  });

  router.post('/leads/assign', async (ctx) => {
    const body = validate(assignBody, ctx.request.body, 'assignment');
    ctx.body = await owners.assign(auth(ctx), body);
  });

  router.get('/settings/assignment', async (ctx) => {
    ctx.body = { assignment: team.assignment(auth(ctx)) };
  });

  router.put('/settings/assignment', requireAdmin, async (ctx) => {
    const body = validate(assignmentSettingBody, ctx.request.body, 'assignment setting');
    ctx.body = { assignment: await team.saveAssignment(auth(ctx), body) };
  });

  return router;
}
