/**
 * Context keys for the services shared by nested elements (@lit/context).
 * `leads-board` provides all three; elements consume them (values arrive on connect, not in constructors).
 */
import { createContext } from '@lit/context';
import type { SessionInfo } from '../../core/contracts.js';
import type { LeadsApiClient } from './api/client.js';
import type { LiveUpdates } from './api/live.js';

/** Links into the host CRM's settings pages, used by the call-error guides. */
export interface SettingsLinks {
  agentSettingsUrl: string | null;
  phoneSettingsUrl: string | null;
}

export interface WidgetConfig {
  apiUrl: string;
  settings: SettingsLinks;
  /** The signed-in user and org (GET /v1/session); null until loaded or when it failed. */
  session: SessionInfo | null;
}

export const apiContext = createContext<LeadsApiClient | undefined>(Symbol('live-leads.api'));
export const configContext = createContext<WidgetConfig>(Symbol('live-leads.config'));
export const liveContext = createContext<LiveUpdates | undefined>(Symbol('live-leads.live'));

export const defaultConfig: WidgetConfig = {
  apiUrl: '',
  settings: { agentSettingsUrl: null, phoneSettingsUrl: null },
  session: null,
};
