import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Lead, Note, SessionInfo } from '../../../../core/contracts.js';
import type { LeadsApiClient } from '../../api/client.js';
import { toErrorInfo } from '../../calls/call-controller.js';

export interface PendingNote extends Note {
  pending: true;
}

export interface NotesOptions {
  api: () => LeadsApiClient | undefined;
  lead: () => Lead | null;
  session: () => SessionInfo | null;
  /** The server saved `note` for the lead with id `leadId`. */
  onSaved: (note: Note, leadId: string) => void;
}

/** Owns adding a note: the draft, the optimistic pending note, the saving state and the error (the draft is kept). */
export class NotesController implements ReactiveController {
  draft = '';
  saving = false;
  error: string | null = null;
  pending: PendingNote[] = [];

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly options: NotesOptions,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  reset(): void {
    this.draft = '';
    this.error = null;
    this.pending = [];
    this.host.requestUpdate();
  }

  setDraft(text: string): void {
    this.draft = text;
    this.error = null;
    this.host.requestUpdate();
  }

  /** Add a note (optimistic: it shows at once and is replaced by the server's copy). Resolves once settled. */
  async add(body: string = this.draft): Promise<void> {
    const text = body.trim();
    const lead = this.options.lead();
    const api = this.options.api();
    if (!text || !lead || !api || this.saving) return;
    const user = this.options.session()?.user;
    const temp: PendingNote = {
      id: `pending-${Date.now()}`,
      contactId: lead.id,
      body: text,
      authorId: user?.id ?? '',
      authorName: user?.name ?? 'You',
      createdAt: new Date().toISOString(),
      pending: true,
    };
    this.pending = [temp, ...this.pending];
    this.saving = true;
    this.error = null;
    this.draft = '';
    this.host.requestUpdate();
    try {
      const note = await api.addNote(lead.id, text);
      this.options.onSaved(note, lead.id);
    } catch (err) {
      // Keep what the user wrote.
      this.draft = this.draft || text;
      this.error = toErrorInfo(err).message;
    } finally {
      this.pending = this.pending.filter((n) => n !== temp);
      this.saving = false;
      this.host.requestUpdate();
    }
  }
}
