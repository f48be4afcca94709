import { expect } from '@open-wc/testing';
import '../define.js';
import { FakeBackend, FakeLive, makeCall, makeLead, waitFor } from '../test/fixtures.js';
import { buttonIn, cardNamed, partOf, teamBoard, text } from '../test/team-helpers.js';
import type { ConfirmDialog } from '../dialogs/confirm-dialog.js';
import { clock, Presence, presenceText } from './presence.js';

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

describe('presence', () => {
  describe('Presence (the store and the heartbeat)', () => {
    it('keeps the snapshot and the updates, never shows the user themself, and forgets everything when the socket drops', () => {
      const live = new FakeLive();
      const p = new Presence(() => 'u1');
      p.attach(live);
      let changes = 0;
      p.onChange(() => changes++);
      live.push('presence:snapshot', {
        entries: [
          { leadId: 'a', users: [{ id: 'u1', name: 'Ann', activity: 'viewing', since: ago(1000) }, { id: 'u2', name: 'Sam', activity: 'viewing', since: ago(1000) }] },
          { leadId: 'b', users: [{ id: 'u3', name: 'Maria', activity: 'calling', since: ago(42_000) }] },
        ],
      });
      expect(p.others('a').map((u) => u.name)).to.deep.equal(['Sam']);
      expect(p.callingOn('b')?.name).to.equal('Maria');
      expect(p.callingOn('a')).to.equal(null);
      live.push('presence:updated', { leadId: 'b', users: [] });
      expect(p.others('b')).to.deep.equal([]);
      live.push('presence:updated', { leadId: 'c', users: [{ id: 'u1', name: 'Ann', activity: 'calling', since: ago(0) }] });
      expect(p.others('c'), 'the own entry').to.deep.equal([]);
      expect(p.leadsWithOthers()).to.deep.equal(['a']);
      live.setConnected(false);
      expect(p.others('a')).to.deep.equal([]);
      expect(changes).to.equal(4);
      p.dispose();
    });

    it('hold() sends presence:set at once, re-sends it as the heartbeat, upgrades to calling, and clears when released', async () => {
      const live = new FakeLive();
      const p = new Presence(() => 'u1', 60);
      p.attach(live);
      const offView = p.hold('a', 'viewing');
      expect(live.sent).to.deep.equal([{ event: 'presence:set', payload: { leadId: 'a', activity: 'viewing' } }]);
      await waitFor(() => live.sent.length >= 3, 'two heartbeats', 1000);
      expect(live.sent.every((s) => s.event === 'presence:set')).to.equal(true);
      live.sent = [];
      const offCall = p.hold('a', 'calling');
      expect(live.sent[0]).to.deep.equal({ event: 'presence:set', payload: { leadId: 'a', activity: 'calling' } });
      offCall();
      expect(live.sent.at(-1)).to.deep.equal({ event: 'presence:set', payload: { leadId: 'a', activity: 'viewing' } });
      offView();
      offView();
      expect(live.sent.at(-1)).to.deep.equal({ event: 'presence:clear', payload: { leadId: 'a' } });
      const n = live.sent.length;
      await new Promise((r) => setTimeout(r, 150));
      expect(live.sent.length, 'no heartbeat once nothing is held').to.equal(n);
      // A reconnect re-sends what is held at once.
      p.hold('b', 'viewing');
      live.sent = [];
      live.setConnected(false);
      live.setConnected(true);
      expect(live.sent).to.deep.equal([{ event: 'presence:set', payload: { leadId: 'b', activity: 'viewing' } }]);
      p.dispose();
    });

    it('words: "Maria is calling · 0:42", "Sam is viewing", and the clock past a minute and an hour', () => {
      const now = Date.now();
      expect(presenceText([{ id: 'u3', name: 'Maria', activity: 'calling', since: new Date(now - 42_000).toISOString() }, { id: 'u2', name: 'Sam', activity: 'viewing', since: new Date(now).toISOString() }], now)).to.equal(
        'Maria is calling · 0:42 · Sam is viewing',
      );
      expect(clock(61_000)).to.equal('1:01');
      expect(clock(3_725_000)).to.equal('1:02:05');
    });
  });

  describe('on the board', () => {
    it('a card shows a colleague calling with a ticking timer, and viewing; the line goes when the entry expires', async () => {
      const lead = makeLead({ name: 'Rosa Diaz' });
      const { board, live } = await teamBoard([lead]);
      live.push('presence:updated', { leadId: lead.id, users: [{ id: 'u3', name: 'Maria', activity: 'calling', since: ago(42_000) }] });
      const card = cardNamed(board, 'Rosa Diaz');
      await waitFor(() => partOf(card, 'presence'), 'the presence line');
      expect(text(partOf(card, 'presence'))).to.match(/^Maria is calling · 0:4[23]$/);
      const first = text(partOf(card, 'presence'));
      await waitFor(() => text(partOf(card, 'presence')) !== first, 'the timer ticks', 2500);
      expect(text(partOf(card, 'presence'))).to.match(/^Maria is calling · 0:4[345]$/);
      await expect(card).shadowDom.to.be.accessible();

      live.push('presence:updated', { leadId: lead.id, users: [{ id: 'u2', name: 'Sam', activity: 'viewing', since: ago(0) }] });
      await waitFor(() => text(partOf(card, 'presence')) === 'Sam is viewing', 'viewing');
      // Sam's tab closed (or stopped its heartbeat): the server's update empties the entry.
      live.push('presence:updated', { leadId: lead.id, users: [] });
      await waitFor(() => !partOf(card, 'presence'), 'the line is gone');
      // The user's own presence is never shown.
      live.push('presence:updated', { leadId: lead.id, users: [{ id: 'u1', name: 'Ann', activity: 'viewing', since: ago(0) }] });
      await new Promise((r) => setTimeout(r, 50));
      expect(partOf(card, 'presence')).to.equal(null);
    });

    it('opening the detail sends viewing (and a colleague there is shown); closing it sends presence:clear', async () => {
      const lead = makeLead({ name: 'Kim Ng' });
      const { board, live, root } = await teamBoard([lead]);
      live.sent = [];
      cardNamed(board, 'Kim Ng').open();
      await waitFor(() => live.sent.some((s) => s.event === 'presence:set'), 'presence:set');
      expect(live.sent[0]).to.deep.equal({ event: 'presence:set', payload: { leadId: lead.id, activity: 'viewing' } });
      live.push('presence:updated', { leadId: lead.id, users: [{ id: 'u2', name: 'Sam', activity: 'viewing', since: ago(0) }] });
      const detail = root.querySelector('lead-detail')!;
      await waitFor(() => text(partOf(detail, 'presence')) === 'Sam is viewing', 'the colleague in the detail');
      await detail.requestClose();
      await waitFor(() => live.sent.some((s) => s.event === 'presence:clear'), 'presence:clear');
      expect(live.sent.at(-1)).to.deep.equal({ event: 'presence:clear', payload: { leadId: lead.id } });
    });

    it('Call Back on a lead a colleague is calling asks first; "Don\'t call" sends nothing; "Call anyway" calls and shows the server\'s refusal in words', async () => {
      // Maria's call is live on the lead (the board learns it from activeCallId): its state shows, Call Back stays offered.
      const lead = makeLead({ name: 'Lee Park', activeCallId: 'call-maria' });
      const backend = new FakeBackend([lead]);
      backend.overrides.push((req) => (req.path === '/v1/calls/call-maria' ? { status: 200, body: { call: makeCall({ id: 'call-maria', contactId: lead.id, status: 'in-progress', createdBy: 'u3' }) } } : undefined));
      backend.liveCalls.add(lead.id);
      const { board, live } = await teamBoard([lead], { backend });
      live.push('presence:updated', { leadId: lead.id, users: [{ id: 'u3', name: 'Maria', activity: 'calling', since: ago(20_000) }] });
      const card = cardNamed(board, 'Lee Park');
      await waitFor(() => partOf(card, 'presence'), 'presence');
      await waitFor(() => text(card.shadowRoot!.querySelector('.call-state[role="status"]')).length > 0, "Maria's call state");
      expect(text(partOf(card, 'call-button'))).to.equal('Call Back');
      expect((partOf(card, 'call-button') as HTMLButtonElement).disabled).to.equal(false);
      live.sent = [];
      partOf(card, 'call-button')!.click();
      await waitFor(() => card.shadowRoot!.querySelector('confirm-dialog')?.shadowRoot?.querySelector('dialog[open]'), 'the question');
      let dialog = card.shadowRoot!.querySelector<ConfirmDialog>('confirm-dialog')!;
      expect(text(dialog.shadowRoot!.querySelector('#cm'))).to.match(/^Maria started a call 2[01] s ago\. Call anyway\?$/);
      expect(dialog.shadowRoot!.querySelector('dialog')!.getAttribute('role')).to.equal('alertdialog');
      // Focus is on the safe answer.
      expect(text(dialog.shadowRoot!.activeElement)).to.equal("Don't call");
      await expect(dialog).shadowDom.to.be.accessible();
      buttonIn(dialog.shadowRoot!, "Don't call")!.click();
      await waitFor(() => !card.shadowRoot!.querySelector('confirm-dialog'), 'closed');
      expect(backend.requestsTo('POST', `/v1/leads/${lead.id}/calls`)).to.have.length(0);
      // Following Maria's call never reported this user as calling.
      expect(live.sent.filter((m) => (m.payload as { activity?: string }).activity === 'calling')).to.deep.equal([]);

      partOf(card, 'call-button')!.click();
      await waitFor(() => card.shadowRoot!.querySelector('confirm-dialog')?.shadowRoot?.querySelector('dialog[open]'), 'the question again');
      dialog = card.shadowRoot!.querySelector<ConfirmDialog>('confirm-dialog')!;
      buttonIn(dialog.shadowRoot!, 'Call anyway')!.click();
      await waitFor(() => backend.requestsTo('POST', `/v1/leads/${lead.id}/calls`).length === 1, 'the call request');
      await waitFor(() => card.shadowRoot!.querySelector('call-error-guide')?.shadowRoot?.textContent?.includes('A call to Lee Park is already in progress.'), 'the refusal');
    });

    it('no question when nobody else is calling; this tab reports its own call as calling', async () => {
      const lead = makeLead({ name: 'Ada Stone' });
      const { board, backend, live } = await teamBoard([lead]);
      live.push('presence:updated', { leadId: lead.id, users: [{ id: 'u2', name: 'Sam', activity: 'viewing', since: ago(0) }] });
      live.sent = [];
      const card = cardNamed(board, 'Ada Stone');
      partOf(card, 'call-button')!.click();
      await waitFor(() => backend.requestsTo('POST', `/v1/leads/${lead.id}/calls`).length === 1, 'called');
      expect(card.shadowRoot!.querySelector('confirm-dialog')).to.equal(null);
      await waitFor(() => live.sent.some((s) => s.event === 'presence:set' && (s.payload as { activity: string }).activity === 'calling'), 'calling sent');
      live.push('call:updated', { call: makeCall({ id: `call-${lead.id}`, contactId: lead.id, status: 'ended', durationSec: 30 }) });
      await waitFor(() => live.sent.at(-1)?.event === 'presence:clear', 'cleared once the call ended');
    });
  });
});
