import { randomBytes } from 'node:crypto';
import type { SessionInfo } from '../../../core/contracts.js';
import { DuplicateKeyError } from '../db/plain.js';
import { AppError, badGateway, conflict, unprocessable } from '../http/errors.js';
import type { Logger } from '../log.js';
import { checkAgentText } from './agent-variables.js';
import type { Actor } from '../leads/service.js';
import { isE164, normalisePhone } from '../leads/phone.js';
import type { OrganizationRepository } from '../orgs/repository.js';
import type { OrganizationCache } from '../orgs/service.js';
import { encryptSecret } from '../telephony/crypto.js';
import { findIncomingNumber, setInboundWebhook, TwilioProviderError, verifyTwilioCredentials } from '../telephony/twilio.js';
import { webhookSecretHash } from '../telephony/vapi-webhook.js';
import { DEFAULT_VOICE, importTwilioNumber, removeVapiPhoneNumber, upsertOutboundAssistant, VapiProviderError } from '../telephony/vapi.js';
import { keywordSettingsSchema, resolveKeywordSettings, type KeywordSettings } from '../scoring/keywords.js';
import type { ProviderFactory } from './providers.js';
import type { AgentRepository, IntegrationRepository } from './repository.js';
import type { OutboundAgentBody, TwilioImportBody } from './schema.js';
import { validate } from '../http/validate.js';
import { frontDesk, saveFrontDesk, type FrontDeskView } from './front-desk.js';

export interface OutboundAgentView {
  configured: boolean;
  name: string | null;
  voice: string | null;
  systemPrompt: string | null;
  firstMessage: string | null;
  vapiAssistantId: string | null;
  updatedAt: string | null;
}

export interface TwilioIntegrationView {
  provider: 'twilio';
  /** Masked: AC…1234. */
  accountSid: string;
  phoneNumber: string;
  vapiPhoneNumberId: string;
  connectedAt: string;
}

/** Maps a provider failure to the API's error shape; the provider's message is kept only where it helps the user. */
export function providerError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof TwilioProviderError) return new AppError(err.httpStatus, err.code, err.message, err.twilioCode ? { twilioCode: err.twilioCode } : undefined);
  if (err instanceof VapiProviderError) {
    if (err.kind === 'timeout') return badGateway('VAPI_TIMEOUT', 'Vapi did not answer in time. Try again in a minute.');
    if (err.status === 401 || err.status === 403) {
      return unprocessable('VAPI_INVALID_KEY', 'Vapi rejected the API key. Paste the private key from the Vapi dashboard in Settings > Telephony > Vapi API key.');
    }
    if (err.status === 429) return new AppError(503, 'VAPI_RATE_LIMITED', 'Vapi is rate limiting this account. Wait a minute and try again.');
    return badGateway('VAPI_REQUEST_FAILED', `Vapi refused the request${err.status ? ` (HTTP ${err.status})` : ''}. Check the settings and try again.`);
  }
  throw err;
}

const numberInUse = (phone: string) =>
  conflict(
    'NUMBER_IN_USE',
    `${phone} is already connected to another clinic on Live Leads. A number can belong to one clinic only: import a different Twilio number, or disconnect it from the other clinic first.`,
    { phoneNumber: phone },
  );

const mask = (sid: string) => `${sid.slice(0, 2)}…${sid.slice(-4)}`;

/** Telephony and scoring settings of an organisation. Credentials are stored encrypted and never returned. */
export class SettingsService {
  constructor(
    private readonly deps: {
      agents: AgentRepository;
      integrations: IntegrationRepository;
      orgs: OrganizationRepository;
      orgCache: OrganizationCache;
      providers: ProviderFactory;
      logger?: Logger;
    },
  ) {}

  async telephonyStatus(orgId: string): Promise<SessionInfo['telephony']> {
    const [agent, twilio] = await Promise.all([this.deps.agents.outbound(orgId), this.deps.integrations.twilio(orgId)]);
    return { outboundAgentConfigured: Boolean(agent), twilioNumber: twilio?.phoneNumber ?? null, sandbox: this.deps.providers.config.sandbox };
  }

  async outboundAgent(orgId: string): Promise<OutboundAgentView> {
    const a = await this.deps.agents.outbound(orgId);
    return {
      configured: Boolean(a),
      name: a?.name ?? null,
      voice: a?.voice ?? null,
      systemPrompt: a?.systemPrompt ?? null,
      firstMessage: a?.firstMessage ?? null,
      vapiAssistantId: a?.vapiAssistantId ?? null,
      updatedAt: a?.updatedAt.toISOString() ?? null,
    };
  }

  /**
   * Creates or updates the Vapi assistant and stores the agent. Its `{{variables}}` are checked first (a name we do not
   * fill would be spoken as nothing). Webhooks are authenticated by the org's secret in the assistant's server.headers
   * (x-vapi-secret); the secret is kept across saves, and a new one after the agent was removed.
   */
  async saveOutboundAgent(actor: Actor, input: OutboundAgentBody): Promise<OutboundAgentView> {
    const { orgId } = actor;
    const fields = (['firstMessage', 'systemPrompt'] as const).flatMap((path) =>
      checkAgentText(input[path]).map((p) => ({ path, message: p.message, variable: p.variable })),
    );
    if (fields.length) {
      const names = [...new Set(fields.map((f) => f.variable))].map((v) => (v.startsWith('{') ? v : `{{${v}}}`));
      throw new AppError(400, 'VALIDATION_FAILED', `The outbound agent is not valid: ${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} not supported. ${fields[0]!.message}`, {
        fields,
      });
    }
    const vapi = await this.deps.providers.vapi(orgId);
    if (!vapi) throw unprocessable('VAPI_NOT_CONNECTED', 'Connect your Vapi account first (Settings > Telephony > Vapi API key).');
    const existing = await this.deps.agents.outbound(orgId);
    const secret = existing ? this.deps.providers.decrypt(orgId, existing.webhookSecretEnc) : randomBytes(32).toString('base64url');
    try {
      const assistant = await upsertOutboundAssistant(vapi, {
        assistantId: existing?.vapiAssistantId ?? null,
        name: input.name,
        voice: { ...DEFAULT_VOICE, voiceId: input.voice } as typeof DEFAULT_VOICE,
        systemPrompt: input.systemPrompt,
        firstMessage: input.firstMessage,
        serverUrl: this.deps.providers.webhookUrl('/webhooks/vapi'),
        webhookAuth: { type: 'secret', secret },
        metadata: { orgId },
      });
      await this.deps.agents.saveOutbound(orgId, {
        ...input,
        vapiAssistantId: assistant.id,
        vapiCredentialId: null,
        webhookSecretEnc: encryptSecret(secret, this.deps.providers.config.encryptionKey, orgId),
        webhookSecretHash: webhookSecretHash(secret),
      });
    } catch (err) {
      throw providerError(err);
    }
    return this.outboundAgent(orgId);
  }

  async removeOutboundAgent(orgId: string): Promise<void> {
    await this.deps.agents.removeOutbound(orgId);
  }

  async twilioIntegration(orgId: string): Promise<TwilioIntegrationView | null> {
    const t = await this.deps.integrations.twilio(orgId);
    return t ? { provider: 'twilio', accountSid: mask(t.accountSid), phoneNumber: t.phoneNumber, vapiPhoneNumberId: t.vapiPhoneNumberId, connectedAt: t.updatedAt.toISOString() } : null;
  }

  /**
   * Imports the clinic's Twilio number: checks the credentials with Twilio, checks the account owns the number, points
   * the number's inbound texts at us, imports it into Vapi (SMS left with us), and stores the credentials encrypted.
   */
  async importTwilio(actor: Actor, input: TwilioImportBody): Promise<TwilioIntegrationView> {
    const { orgId } = actor;
    const phone = normalisePhone(input.phoneNumber, actor.org.settings.defaultCountry);
    if (!phone.valid || !isE164(phone.phone)) {
      throw unprocessable('INVALID_PHONE_FORMAT', `"${input.phoneNumber}" is not a valid phone number. Use E.164, for example +12125550123.`);
    }
    const vapi = await this.deps.providers.vapi(orgId);
    if (!vapi) throw unprocessable('VAPI_NOT_CONNECTED', 'Connect your Vapi account first (Settings > Telephony > Vapi API key).');
    // Before anything touches Twilio: pointing the number's SmsUrl at us would take another clinic's texts away.
    const holder = await this.deps.integrations.twilioByNumber(phone.phone);
    if (holder && holder.orgId !== orgId) throw numberInUse(phone.phone);
    const previous = await this.deps.integrations.twilio(orgId);
    try {
      const client = this.deps.providers.twilioWith(input.accountSid, input.authToken);
      await verifyTwilioCredentials(client);
      const number = await findIncomingNumber(client, phone.phone);
      if (!number) {
        throw unprocessable('TWILIO_NUMBER_NOT_FOUND', `${phone.phone} is not a number of this Twilio account. Buy or port it in Twilio, then import it here.`);
      }
      await setInboundWebhook(client, number.sid, this.deps.providers.webhookUrl('/webhooks/twilio/inbound'));
      const imported = await importTwilioNumber(vapi, {
        number: phone.phone,
        twilioAccountSid: input.accountSid,
        twilioAuthToken: input.authToken,
        name: actor.org.name,
        phoneNumberId: previous?.vapiPhoneNumberId ?? null,
      });
      await this.deps.integrations.saveTwilio(orgId, {
        accountSid: input.accountSid,
        authTokenEnc: encryptSecret(input.authToken, this.deps.providers.config.encryptionKey, orgId),
        phoneNumber: phone.phone,
        phoneNumberSid: number.sid,
        vapiPhoneNumberId: imported.id,
      });
    } catch (err) {
      if (err instanceof DuplicateKeyError) throw numberInUse(phone.phone);
      throw providerError(err);
    }
    return (await this.twilioIntegration(orgId))!;
  }

  /** Disconnects the number; the copy imported into Vapi (which holds the clinic's Twilio token) is removed too. */
  async removeTwilio(orgId: string): Promise<void> {
    const current = await this.deps.integrations.twilio(orgId);
    await this.deps.integrations.remove(orgId, 'twilio');
    if (!current?.vapiPhoneNumberId) return;
    try {
      const vapi = await this.deps.providers.vapi(orgId);
      if (vapi) await removeVapiPhoneNumber(vapi, current.vapiPhoneNumberId);
    } catch (err) {
      // The next import updates or replaces it (importTwilioNumber finds it by number).
      this.deps.logger?.warn({ orgId, err: (err as Error).message }, 'removing the Vapi phone number failed');
    }
  }

  async connectVapi(orgId: string, apiKey: string): Promise<void> {
    await this.deps.integrations.saveVapi(orgId, encryptSecret(apiKey, this.deps.providers.config.encryptionKey, orgId));
  }

  frontDesk(orgId: string): Promise<FrontDeskView> {
    return frontDesk(this.deps.orgs, orgId);
  }

  saveFrontDesk(orgId: string, input: unknown): Promise<FrontDeskView> {
    return saveFrontDesk(this.deps, orgId, input);
  }

  async keywords(orgId: string): Promise<KeywordSettings> {
    const org = await this.deps.orgs.findById(orgId);
    return resolveKeywordSettings(org?.settings.keywords);
  }

  async saveKeywords(orgId: string, input: unknown): Promise<KeywordSettings> {
    const parsed = validate(keywordSettingsSchema, input, 'keyword lists');
    await this.deps.orgs.updateSettings(orgId, { keywords: parsed });
    this.deps.orgCache.invalidate(orgId);
    return parsed;
  }
}
