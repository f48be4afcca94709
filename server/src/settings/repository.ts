import { ObjectId, type Db } from 'mongodb';
import { COLLECTIONS } from '../db/indexes.js';
import { uniqueWrite } from '../db/plain.js';

/** integrations: per organisation and provider; credentials encrypted at rest (AES-256-GCM, the orgId as associated data). */
export interface TwilioIntegrationDoc {
  _id: ObjectId;
  orgId: string;
  provider: 'twilio';
  accountSid: string;
  authTokenEnc: string;
  phoneNumber: string;
  phoneNumberSid: string;
  vapiPhoneNumberId: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface VapiIntegrationDoc {
  _id: ObjectId;
  orgId: string;
  provider: 'vapi';
  apiKeyEnc: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface AgentDoc {
  _id: ObjectId;
  orgId: string;
  direction: 'outbound';
  name: string;
  voice: string;
  systemPrompt: string;
  firstMessage: string;
  vapiAssistantId: string;
  /** Earlier versions kept a Vapi webhook credential; no longer used (see telephony/README.md). */
  vapiCredentialId?: string | null;
  /** The secret Vapi sends in x-vapi-secret with our webhooks, encrypted. */
  webhookSecretEnc: string;
  /** SHA-256 of that secret (hex): finds the organisation of a webhook that names no call. */
  webhookSecretHash?: string;
  createdAt: Date;
  updatedAt: Date;
}

export class IntegrationRepository {
  private readonly col;
  constructor(db: Db) {
    this.col = db.collection<TwilioIntegrationDoc | VapiIntegrationDoc>(COLLECTIONS.integrations);
  }

  async twilio(orgId: string): Promise<TwilioIntegrationDoc | null> {
    return (await this.col.findOne({ orgId, provider: 'twilio' })) as TwilioIntegrationDoc | null;
  }

  async vapi(orgId: string): Promise<VapiIntegrationDoc | null> {
    return (await this.col.findOne({ orgId, provider: 'vapi' })) as VapiIntegrationDoc | null;
  }

  /**
   * Inbound texts name our number and Twilio account, not an organisation: a number belongs to one organisation (unique
   * index twilio_phone), and the account must match too.
   */
  async twilioByNumber(phoneNumber: string, accountSid?: string): Promise<TwilioIntegrationDoc | null> {
    return (await this.col.findOne({ provider: 'twilio', phoneNumber, ...(accountSid ? { accountSid } : {}) })) as TwilioIntegrationDoc | null;
  }

  /** Throws DuplicateKeyError when another organisation already uses this number (unique index twilio_phone). */
  async saveTwilio(orgId: string, fields: Omit<TwilioIntegrationDoc, '_id' | 'orgId' | 'provider' | 'createdAt' | 'updatedAt'>): Promise<TwilioIntegrationDoc> {
    const now = new Date();
    const doc = await uniqueWrite(COLLECTIONS.integrations, () =>
      this.col.findOneAndUpdate(
        { orgId, provider: 'twilio' },
        { $set: { ...fields, updatedAt: now }, $setOnInsert: { createdAt: now } },
        { upsert: true, returnDocument: 'after' },
      ),
    );
    return doc as TwilioIntegrationDoc;
  }

  async saveVapi(orgId: string, apiKeyEnc: string): Promise<void> {
    const now = new Date();
    await this.col.updateOne(
      { orgId, provider: 'vapi' },
      { $set: { apiKeyEnc, updatedAt: now }, $setOnInsert: { createdAt: now } },
      { upsert: true },
    );
  }

  async remove(orgId: string, provider: 'twilio' | 'vapi'): Promise<boolean> {
    return (await this.col.deleteOne({ orgId, provider })).deletedCount === 1;
  }
}

export class AgentRepository {
  private readonly col;
  constructor(db: Db) {
    this.col = db.collection<AgentDoc>(COLLECTIONS.agents);
  }

  async outbound(orgId: string): Promise<AgentDoc | null> {
    return this.col.findOne({ orgId, direction: 'outbound' });
  }

  /** The agent whose webhook secret has this SHA-256 (index webhookSecretHash). */
  async byWebhookSecretHash(webhookSecretHash: string): Promise<AgentDoc | null> {
    return this.col.findOne({ webhookSecretHash });
  }

  async saveOutbound(orgId: string, fields: Omit<AgentDoc, '_id' | 'orgId' | 'direction' | 'createdAt' | 'updatedAt'>): Promise<AgentDoc> {
    const now = new Date();
    const doc = await this.col.findOneAndUpdate(
      { orgId, direction: 'outbound' },
      { $set: { ...fields, updatedAt: now }, $setOnInsert: { createdAt: now } },
      { upsert: true, returnDocument: 'after' },
    );
    return doc!;
  }

  async removeOutbound(orgId: string): Promise<boolean> {
    return (await this.col.deleteOne({ orgId, direction: 'outbound' })).deletedCount === 1;
  }
}
