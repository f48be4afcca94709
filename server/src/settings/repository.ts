import { ObjectId, type Db } from 'mongodb';
import { COLLECTIONS } from '../db/indexes.js';

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
  vapiCredentialId: string;
  /** The HMAC secret Vapi signs our webhooks with, encrypted. */
  webhookSecretEnc: string;
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

  /** Inbound texts name our number, not an organisation: the number finds the integration. */
  async twilioByNumber(phoneNumber: string): Promise<TwilioIntegrationDoc | null> {
    return (await this.col.findOne({ provider: 'twilio', phoneNumber })) as TwilioIntegrationDoc | null;
  }

  async saveTwilio(orgId: string, fields: Omit<TwilioIntegrationDoc, '_id' | 'orgId' | 'provider' | 'createdAt' | 'updatedAt'>): Promise<TwilioIntegrationDoc> {
    const now = new Date();
    const doc = await this.col.findOneAndUpdate(
      { orgId, provider: 'twilio' },
      { $set: { ...fields, updatedAt: now }, $setOnInsert: { createdAt: now } },
      { upsert: true, returnDocument: 'after' },
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
