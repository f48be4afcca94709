import { ObjectId, type Db } from 'mongodb';
import { COLLECTIONS } from '../db/indexes.js';
import { toObjectId } from '../db/plain.js';
import type { KeywordSettingsInput } from '../scoring/keywords.js';
import type { AssignmentSetting } from '../../../core/team.js';
import type { CampaignSettings } from '../../../core/campaigns.js';

export interface StoredSecretKey {
  keyId: string;
  /** SHA-256 of the whole key, hex. API keys are 32 random bytes, so a fast hash is the right tool (no password stretching). */
  hash: string;
  label: string;
  createdAt: Date;
}

export interface OrganizationSettings {
  quietHours: { start: string; end: string };
  defaultCountry: string;
  /** The clinic's own keyword lists (validated by keywordSettingsSchema when saved); null = the defaults. */
  keywords: Partial<KeywordSettingsInput> | null;
  /** Where the AI agent transfers a lead who asks for a person (E.164, server/src/settings); absent or null = none. */
  frontDeskNumber?: string | null;
  /** Owners of new leads (issue 13, server/src/team): round-robin over the roster, or none (absent = none). */
  assignment?: AssignmentSetting;
  /** SMS campaigns and the opt-out line (server/src/campaigns/settings.ts); missing = the defaults. */
  campaigns?: Partial<CampaignSettings>;
}

export interface Organization {
  id: string;
  name: string;
  timezone: string;
  allowedOrigins: string[];
  settings: OrganizationSettings;
  createdAt: Date;
}

interface OrganizationDoc {
  _id: ObjectId;
  name: string;
  timezone: string;
  allowedOrigins: string[];
  secretKeys: StoredSecretKey[];
  settings: OrganizationSettings;
  createdAt: Date;
}

const toOrganization = (doc: OrganizationDoc): Organization => ({
  id: doc._id.toHexString(),
  name: doc.name,
  timezone: doc.timezone,
  allowedOrigins: doc.allowedOrigins,
  settings: doc.settings,
  createdAt: doc.createdAt,
});

export class OrganizationRepository {
  private readonly col;
  constructor(db: Db) {
    this.col = db.collection<OrganizationDoc>(COLLECTIONS.organizations);
  }

  async create(input: Omit<OrganizationDoc, '_id' | 'createdAt'>): Promise<Organization> {
    const doc: OrganizationDoc = { _id: new ObjectId(), createdAt: new Date(), ...input };
    await this.col.insertOne(doc);
    return toOrganization(doc);
  }

  async findById(id: string): Promise<Organization | null> {
    const _id = toObjectId(id);
    if (!_id) return null;
    const doc = await this.col.findOne({ _id });
    return doc ? toOrganization(doc) : null;
  }

  async findByName(name: string): Promise<Organization | null> {
    // Only used by the demo bootstrap on a tiny collection.
    const doc = await this.col.findOne({ name }, { sort: { _id: 1 } });
    return doc ? toOrganization(doc) : null;
  }

  /** The organisation and the stored key record for a key id (the hash is compared by the caller in constant time). */
  async findBySecretKeyId(keyId: string): Promise<{ org: Organization; key: StoredSecretKey } | null> {
    const doc = await this.col.findOne({ 'secretKeys.keyId': keyId });
    const key = doc?.secretKeys.find((k) => k.keyId === keyId);
    return doc && key ? { org: toOrganization(doc), key } : null;
  }

  async addSecretKey(orgId: string, key: StoredSecretKey): Promise<void> {
    const _id = toObjectId(orgId);
    if (_id) await this.col.updateOne({ _id }, { $push: { secretKeys: key } });
  }

  async isAllowedOrigin(origin: string): Promise<boolean> {
    return (await this.col.countDocuments({ allowedOrigins: origin }, { limit: 1 })) > 0;
  }

  async updateSettings(orgId: string, patch: Partial<OrganizationSettings>): Promise<Organization | null> {
    const _id = toObjectId(orgId);
    if (!_id) return null;
    const $set = Object.fromEntries(Object.entries(patch).map(([k, v]) => [`settings.${k}`, v]));
    const doc = await this.col.findOneAndUpdate({ _id }, { $set }, { returnDocument: 'after' });
    return doc ? toOrganization(doc) : null;
  }

  async setAllowedOrigins(orgId: string, origins: string[]): Promise<void> {
    const _id = toObjectId(orgId);
    if (_id) await this.col.updateOne({ _id }, { $set: { allowedOrigins: origins } });
  }
}
