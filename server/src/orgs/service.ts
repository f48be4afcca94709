import type { Organization, OrganizationRepository, OrganizationSettings } from './repository.js';
import { generateSecretKey } from '../auth/keys.js';
import { DEFAULT_SEND_WINDOW, DEFAULT_TIME_ZONE, isTimeZone } from '../../../core/quiet-hours.js';

export { isTimeZone };

export const DEFAULT_SETTINGS: OrganizationSettings = {
  quietHours: { ...DEFAULT_SEND_WINDOW },
  defaultCountry: 'US',
  keywords: null,
};

export interface NewOrganization {
  name: string;
  timezone?: string;
  allowedOrigins?: string[];
  defaultCountry?: string;
}

/** Creates an organisation with one secret key. The key is returned once and only its hash is kept. */
export async function createOrganization(
  repo: OrganizationRepository,
  input: NewOrganization,
): Promise<{ org: Organization; secretKey: string }> {
  const timezone = input.timezone ?? DEFAULT_TIME_ZONE;
  if (!isTimeZone(timezone)) throw new Error(`Unknown IANA time zone: ${timezone}`);
  const { key, keyId, hash } = generateSecretKey();
  const org = await repo.create({
    name: input.name,
    timezone,
    allowedOrigins: input.allowedOrigins ?? [],
    secretKeys: [{ keyId, hash, label: 'default', createdAt: new Date() }],
    settings: { ...DEFAULT_SETTINGS, defaultCountry: input.defaultCountry ?? DEFAULT_SETTINGS.defaultCountry },
  });
  return { org, secretKey: key };
}

/** A short-lived cache of organisations for the per-request auth check. */
export class OrganizationCache {
  private readonly entries = new Map<string, { org: Organization | null; at: number }>();
  constructor(
    private readonly repo: OrganizationRepository,
    private readonly ttlMs = 5_000,
  ) {}

  async get(id: string): Promise<Organization | null> {
    const hit = this.entries.get(id);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.org;
    const org = await this.repo.findById(id);
    this.entries.set(id, { org, at: Date.now() });
    if (this.entries.size > 10_000) this.entries.clear();
    return org;
  }

  invalidate(id: string): void {
    this.entries.delete(id);
  }
}
