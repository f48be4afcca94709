/**
 * The board's side of the team (issue 13; in the main bundle, so kept small): the owner filter (Anyone, Mine,
 * Unassigned, each person: `owner=me|none|<id>`), the shared `Presence` (provided to the cards, the detail and the
 * queue), bulk assign from the selection bar, and "Start calling" (the call queue). The owner picker and the queue are
 * lazy elements (lazy.ts).
 */
import { ContextProvider } from '@lit/context';
import { html, nothing, type ReactiveController, type ReactiveControllerHost } from 'lit';
import type { SessionInfo } from '../../../../core/contracts.js';
import type { LeadQuery, LeadsApiClient } from '../../api/client.js';
import type { LiveUpdates } from '../../api/live.js';
import type { Team, TeamFilter, TeamUser } from '../../api/team.js';
import { toast } from '../../events.js';
import { loadLazy } from '../../lazy-load.js';
import { Presence, presenceContext } from '../../leads/presence.js';
import { phoneIcon } from '../lead-card/icons.js';

export interface BoardTeamDeps {
  api: () => LeadsApiClient | undefined;
  session: () => SessionInfo | null;
  /** The owner filter changed: back to page 1 and reload. */
  onFilter: () => void;
  /** Leads were assigned: reload (and clear the selection). */
  onAssigned: () => void;
}

export class BoardTeam implements ReactiveController {
  /** The owner filter: '' anyone, 'me', 'none' (unassigned) or a user id. */
  owner = '';
  users: TeamUser[] = [];
  readonly presence: Presence;
  private queue: { filter: TeamFilter; sort: string; label: string } | null = null;
  private teamFor: LeadsApiClient | null = null;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly deps: BoardTeamDeps,
  ) {
    this.presence = new Presence(() => deps.session()?.user.id ?? null);
    new ContextProvider(host, { context: presenceContext, initialValue: this.presence });
    host.addController(this);
  }

  hostDisconnected(): void {
    this.presence.dispose();
  }

  /** Follow the board's live updates (presence events). */
  setLive(live: LiveUpdates | null): void {
    this.presence.attach(live);
  }

  /** The queue is open (the board's shortcuts stand down). */
  get open(): boolean {
    return !!this.queue;
  }

  /** After the session: the roster for the person filter (a failure leaves Mine and Unassigned). */
  loadTeam(): void {
    const api = this.deps.api();
    if (!api || api === this.teamFor) return;
    this.teamFor = api;
    // Not api/team.ts's cached getTeam: that module stays in the lazy chunk.
    api.send<Team>('GET', '/v1/team').then(
      (team) => {
        this.users = team.users;
        this.host.requestUpdate();
      },
      () => (this.teamFor = null),
    );
  }

  /** The selection bar's Assign: the picker, then POST /v1/leads/assign (ids, or the whole filter). */
  async assign(leadIds: string[] | null, filter: LeadQuery, count: number, toastTarget: Node): Promise<void> {
    const api = this.deps.api();
    if (!api) return;
    try {
      const lazy = await loadLazy();
      const { page: _p, pageSize: _s, sort: _o, ...rest } = filter;
      const n = await lazy.assignMany(toastTarget, toastTarget, api, { leadIds, filter: rest, count, session: this.deps.session() });
      if (n !== null) this.deps.onAssigned();
    } catch {
      toast(toastTarget, { variant: 'error', message: "The owner picker couldn't be loaded. Check your connection and try again." });
    }
  }

  /** "Start calling" on the board's current view and filters. */
  startQueue(filter: LeadQuery, label: string): void {
    const { page: _p, pageSize: _s, sort, ...rest } = filter;
    void loadLazy();
    this.queue = { filter: rest, sort: sort ?? 'score', label };
    this.host.requestUpdate();
  }

  private onOwner = (event: Event): void => {
    this.owner = (event.target as HTMLSelectElement).value;
    this.deps.onFilter();
  };

  renderOwnerFilter() {
    const me = this.deps.session()?.user.id;
    const people = this.users.filter((u) => u.id !== me);
    const o = this.owner;
    return html`<select part="owner-filter" aria-label="Filter by owner" .value=${o} @change=${this.onOwner}>
      <option value="" ?selected=${o === ''}>Anyone's leads</option>
      <option value="me" ?selected=${o === 'me'}>Mine</option>
      <option value="none" ?selected=${o === 'none'}>Unassigned</option>
      ${people.map((u) => html`<option value=${u.id} ?selected=${o === u.id}>${u.name}'s</option>`)}
    </select>`;
  }

  renderStartButton(onClick: () => void) {
    return html`<button class="btn btn--primary" part="start-calling" aria-haspopup="dialog" @click=${onClick}>${phoneIcon}Start calling</button>`;
  }

  renderQueue() {
    const q = this.queue;
    if (!q) return nothing;
    return html`<call-queue
      open
      .filter=${q.filter}
      .sort=${q.sort}
      .label=${q.label}
      @dialog-close=${() => {
        this.queue = null;
        this.host.requestUpdate();
      }}
    ></call-queue>`;
  }
}
