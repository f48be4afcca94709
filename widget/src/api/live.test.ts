import { expect } from '@open-wc/testing';
import { LiveService, type LiveSocket } from './live.js';
import { makeLead, waitFor } from '../test/fixtures.js';

/** A stand-in for a socket.io-client Socket: the test fires its events by hand. */
class FakeSocket {
  handlers = new Map<string, Array<(arg?: unknown) => void>>();
  connects = 0;
  active = false;
  tokens: unknown[] = [];
  constructor(private auth: (cb: (data: object) => void) => void) {}
  on(event: string, handler: (arg?: unknown) => void) {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), handler]);
    return this;
  }
  connect() {
    this.connects++;
    this.auth((data) => this.tokens.push((data as { token: unknown }).token));
    return this;
  }
  disconnect() {
    return this;
  }
  fire(event: string, arg?: unknown) {
    for (const h of this.handlers.get(event) ?? []) h(arg);
  }
}

function setup(tokens: string[]) {
  let socket!: FakeSocket;
  let current = tokens.shift()!;
  let refreshes = 0;
  const service = new LiveService({
    url: 'http://api.test',
    getToken: async () => current,
    refreshToken: async () => {
      refreshes++;
      current = tokens.shift() ?? current;
      return current;
    },
    socketFactory: (_url, opts) => (socket = new FakeSocket(opts.auth)) as unknown as LiveSocket,
  });
  service.connect();
  return { service, socket: () => socket, refreshes: () => refreshes };
}

describe('LiveService', () => {
  it('sends the token in the handshake and forwards typed server events', async () => {
    const { service, socket } = setup(['t1']);
    await waitFor(() => socket().tokens.length === 1);
    expect(socket().tokens).to.deep.equal(['t1']);
    const seen: string[] = [];
    service.on('lead:updated', ({ lead }) => seen.push(lead.name));
    socket().fire('lead:updated', { lead: makeLead({ name: 'Zoe' }) });
    expect(seen).to.deep.equal(['Zoe']);
  });

  it('refreshes the token once on a TOKEN_EXPIRED handshake error and reconnects with it', async () => {
    const { socket, refreshes } = setup(['old', 'new']);
    const err = Object.assign(new Error('expired'), { data: { code: 'TOKEN_EXPIRED' } });
    socket().fire('connect_error', err);
    await waitFor(() => socket().connects === 2, 'reconnect');
    await waitFor(() => socket().tokens.length === 2);
    expect(refreshes()).to.equal(1);
    expect(socket().tokens).to.deep.equal(['old', 'new']);
    // A second refusal in the same streak is not retried in a loop.
    socket().fire('connect_error', err);
    expect(refreshes()).to.equal(1);
  });

  it('emits "reconnected" when the connection comes back, not on the first connect', () => {
    const { service, socket } = setup(['t']);
    let reconnected = 0;
    const statuses: string[] = [];
    service.on('reconnected', () => reconnected++);
    service.on('status', (s) => statuses.push(s));
    socket().fire('connect');
    expect(reconnected).to.equal(0);
    socket().fire('disconnect', 'transport close');
    socket().fire('connect');
    expect(reconnected).to.equal(1);
    expect(statuses).to.deep.equal(['connected', 'disconnected', 'connected']);
  });

  it('stops calling a handler after unsubscribe', () => {
    const { service, socket } = setup(['t']);
    let count = 0;
    const off = service.on('lead:hot', () => count++);
    socket().fire('lead:hot', { lead: makeLead() });
    off();
    socket().fire('lead:hot', { lead: makeLead() });
    expect(count).to.equal(1);
  });
});
