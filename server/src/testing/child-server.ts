/**
 * The API as its own process, for tests that send it signals: `tsx server/src/testing/child-server.ts` with the usual
 * environment (LEADS_DATA_DIR, TOKEN_SECRET, ...). It creates an organisation when CHILD_CREATE_ORG is set, prints one
 * JSON line `{ "url", "orgId"?, "secretKey"? }` on stdout when it listens, and stops on SIGTERM exactly as main.ts does.
 */
import { startServer, stopOnSignals } from '../main.js';
import { createOrganization } from '../orgs/service.js';

// CHILD_CAMPAIGN_TICK_MS runs campaign sending on its own tick (the campaign crash test kills the process mid-send).
const campaignTickMs = process.env.CHILD_CAMPAIGN_TICK_MS ? Number(process.env.CHILD_CAMPAIGN_TICK_MS) : undefined;
const running = await startServer({ jobsIntervalMs: 0, campaignTickMs });
stopOnSignals(running);
let created: { orgId: string; secretKey: string } | undefined;
if (process.env.CHILD_CREATE_ORG) {
  const { org, secretKey } = await createOrganization(running.context.repos.orgs, { name: process.env.CHILD_CREATE_ORG });
  created = { orgId: org.id, secretKey };
}
process.stdout.write(`${JSON.stringify({ url: running.url, ...created })}\n`);
