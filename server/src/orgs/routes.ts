import Router from '@koa/router';
import { allowedOriginsBody } from '../../../core/requests.js';
import { auth, requireAdmin, requireSecretKey } from '../auth/middleware.js';
import { validate } from '../http/validate.js';
import type { OrganizationRepository } from './repository.js';
import type { OrganizationCache } from './service.js';

/**
 * The pages allowed to embed the board (CORS and the socket's origin check). Read by an admin; replaced only by the host's
 * server with the clinic's secret key, because the list is what keeps another site from using a clinic's tokens.
 * A change applies to new requests at once on this instance and within the organisation cache's 5 s elsewhere.
 */
export function originRoutes(deps: { orgRepo: OrganizationRepository; orgCache: OrganizationCache }): Router {
  const router = new Router();

  router.get('/allowed-origins', requireAdmin, async (ctx) => {
    ctx.body = { origins: auth(ctx).org.allowedOrigins };
  });

  router.put('/allowed-origins', requireSecretKey('The list of pages allowed to embed the board'), async (ctx) => {
    const { origins } = validate(allowedOriginsBody, ctx.request.body, 'allowed origins');
    const { orgId } = auth(ctx);
    const unique = [...new Set(origins)];
    await deps.orgRepo.setAllowedOrigins(orgId, unique);
    deps.orgCache.invalidate(orgId);
    ctx.body = { origins: unique };
  });

  return router;
}
