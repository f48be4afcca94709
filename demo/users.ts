/**
 * The demo clinic and its staff. Shared by the seed (who did what in the history) and the sample CRM
 * (the user switcher mints embed tokens for these users).
 */
import type { EmbedUser } from '../core/contracts.js';

export const DEMO_CLINIC = {
  name: 'Radiance Aesthetics',
  timezone: 'America/New_York',
  defaultCountry: 'US',
} as const;

/** The two users of the CRM's user switcher. */
export const CRM_USERS: Record<'agent' | 'admin', EmbedUser> = {
  agent: { id: 'u_jordan', name: 'Jordan Ellis', role: 'agent' },
  admin: { id: 'u_maya', name: 'Dr. Maya Chen', role: 'admin' },
};

/** Everyone who appears in the seeded history (status changes, notes, calls placed). */
export const STAFF: Array<{ id: string; name: string }> = [
  { id: CRM_USERS.agent.id, name: CRM_USERS.agent.name },
  { id: 'u_sofia', name: 'Sofia Ramirez' },
  { id: 'u_marcus', name: 'Marcus Bell' },
  { id: CRM_USERS.admin.id, name: CRM_USERS.admin.name },
];

/**
 * The roster the demo pushes to Live Leads on every start (PUT /v1/team, the host's staff list): the two CRM users (so two
 * browsers, one per user, see each other's presence and can assign leads to each other) with phones for "Connect me" (sandbox
 * numbers: the simulator owns every valid E.164 number), and the rest of the staff without one.
 */
export const DEMO_TEAM: Array<{ id: string; name: string; role: 'agent' | 'admin'; phone?: string }> = [
  { ...CRM_USERS.agent, phone: '+12125550142' },
  { ...CRM_USERS.admin, phone: '+12125550143' },
  { id: 'u_sofia', name: 'Sofia Ramirez', role: 'agent' },
  { id: 'u_marcus', name: 'Marcus Bell', role: 'agent' },
];
