/**
 * `npm run org:create -- --name "Glow Clinic" [--timezone America/Chicago] [--origin https://crm.example.com]...`
 * Creates an organisation in the configured database (MONGODB_URI, or the embedded engine's data in LEADS_DATA_DIR) and
 * prints its secret key once: only its hash is stored, so it cannot be shown again.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { connectDatabase } from '../db/mongo.js';
import { OrganizationRepository } from './repository.js';
import { createOrganization, isTimeZone } from './service.js';

const { values } = parseArgs({
  options: {
    name: { type: 'string' },
    timezone: { type: 'string', default: 'America/New_York' },
    origin: { type: 'string', multiple: true, default: [] },
    country: { type: 'string', default: 'US' },
  },
});

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

if (!values.name?.trim()) fail('Give the clinic a name: npm run org:create -- --name "Glow Clinic" [--timezone America/Chicago] [--origin https://crm.example.com]');
if (!isTimeZone(values.timezone!)) fail(`--timezone ${values.timezone} is not an IANA time zone (e.g. America/New_York).`);
for (const origin of values.origin ?? []) {
  try {
    const u = new URL(origin);
    if (u.origin !== origin) fail(`--origin ${origin} must be an origin only, like https://crm.example.com (no path or trailing slash).`);
  } catch {
    fail(`--origin ${origin} is not a URL.`);
  }
}

const config = loadConfig();
const db = await connectDatabase(config);
try {
  const { org, secretKey } = await createOrganization(new OrganizationRepository(db.db), {
    name: values.name!.trim(),
    timezone: values.timezone,
    allowedOrigins: values.origin,
    defaultCountry: values.country,
  });
  console.log(`Organisation ${org.name} created (id ${org.id}).`);
  console.log(`Secret key (shown once, store it in your CRM backend's secrets): ${secretKey}`);
} finally {
  await db.close();
}
