import type { VapiClient } from '@vapi-ai/server-sdk';
import { createVapi } from '../telephony/vapi.js';
import { createTwilio, type TwilioClient } from '../telephony/twilio.js';
import { decryptSecret, type KeyMaterial } from '../telephony/crypto.js';
import type { IntegrationRepository, TwilioIntegrationDoc } from './repository.js';

/**
 * Where provider traffic goes and with which keys. There are no sandbox branches in the product: in sandbox mode the
 * same official clients are simply given the simulator's base URLs.
 */
export interface TelephonyConfig {
  /** Public base URL of this API: webhooks are built from it (Twilio signs the exact URL it calls). */
  publicUrl: string;
  /** The key ring for credentials at rest (current key writes, previous keys still read). */
  encryptionKey: KeyMaterial;
  vapiBaseUrl?: string;
  twilioBaseUrl?: string;
  /** The platform's Vapi key, used for organisations that did not connect their own Vapi account. */
  vapiApiKey?: string;
  sandbox: boolean;
  vapiTimeoutSeconds?: number;
}

export class ProviderFactory {
  constructor(
    readonly config: TelephonyConfig,
    private readonly integrations: IntegrationRepository,
  ) {}

  decrypt(orgId: string, value: string): string {
    return decryptSecret(value, this.config.encryptionKey, orgId);
  }

  /** The organisation's Vapi client: its own key, else the platform's; null when there is none. */
  async vapi(orgId: string): Promise<VapiClient | null> {
    const own = await this.integrations.vapi(orgId);
    const token = own ? this.decrypt(orgId, own.apiKeyEnc) : this.config.vapiApiKey;
    if (!token) return null;
    return createVapi({ token, baseUrl: this.config.vapiBaseUrl, timeoutSeconds: this.config.vapiTimeoutSeconds ?? 20 });
  }

  twilioWith(accountSid: string, authToken: string): TwilioClient {
    return createTwilio({ accountSid, authToken, baseUrl: this.config.twilioBaseUrl });
  }

  twilioFor(integration: TwilioIntegrationDoc): { client: TwilioClient; authToken: string } {
    const authToken = this.decrypt(integration.orgId, integration.authTokenEnc);
    return { client: this.twilioWith(integration.accountSid, authToken), authToken };
  }

  webhookUrl(path: string): string {
    return `${this.config.publicUrl.replace(/\/+$/, '')}${path}`;
  }
}
