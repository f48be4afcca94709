import { expect } from '@open-wc/testing';
import { MiniSocket } from './socket.js';
import { LiveService } from './live.js';
import { waitFor } from '../test/fixtures.js';

// A real socket.io server runs on the test server's origin (web-test-runner.config.mjs, socketIoTestServer).
const origin = location.origin;

describe('MiniSocket against a real socket.io server', () => {
  let socket: MiniSocket | undefined;
  afterEach(() => socket?.disconnect());

  it('connects with the auth payload and receives events', async () => {
    socket = new MiniSocket(origin, { auth: (cb) => cb({ token: 'good' }) });
    const events: unknown[] = [];
    let connected = 0;
    socket.on('connect', () => connected++);
    socket.on('lead:updated', (p) => events.push(p));
    socket.connect();
    await waitFor(() => events.length === 1, 'lead:updated');
    expect(connected).to.equal(1);
    expect(socket.connected).to.equal(true);
    expect(events[0]).to.deep.equal({ lead: { id: 'l1', name: 'From the server' } });
  });

  it('emits events the server receives (presence:set / presence:clear), and LiveService.send drops them while disconnected', async () => {
    socket = new MiniSocket(origin, { auth: (cb) => cb({ token: 'good' }) });
    const updates: Array<{ leadId: string; users: unknown[] }> = [];
    socket.on('presence:updated', (p) => updates.push(p));
    socket.emit('presence:set', { leadId: 'l0', activity: 'viewing' });
    socket.on('connect', () => socket!.emit('presence:set', { leadId: 'l1', activity: 'calling' }));
    socket.connect();
    await waitFor(() => updates.length === 1, 'the echo of presence:set');
    expect(updates[0]).to.deep.equal({ leadId: 'l1', users: [{ id: 'echo', name: 'Echo', activity: 'calling', since: 'now' }] });
    socket.emit('presence:clear', { leadId: 'l1' });
    await waitFor(() => updates.length === 2, 'the echo of presence:clear');
    expect(updates[1]).to.deep.equal({ leadId: 'l1', users: [] });

    const live = new LiveService({ url: origin, getToken: async () => 'good', refreshToken: async () => 'good' });
    const seen: unknown[] = [];
    live.on('presence:updated', (p) => seen.push(p));
    live.send('presence:set', { leadId: 'early', activity: 'viewing' });
    live.connect();
    await waitFor(() => live.status === 'connected', 'connected');
    live.send('presence:set', { leadId: 'l2', activity: 'viewing' });
    await waitFor(() => seen.length === 1, 'LiveService echo');
    expect(seen[0]).to.deep.include({ leadId: 'l2' });
    live.disconnect();
  });

  it('reports a refused handshake as connect_error with data.code and stops retrying', async () => {
    socket = new MiniSocket(origin, { auth: (cb) => cb({ token: 'expired' }) });
    let error: (Error & { data?: { code?: string } }) | undefined;
    socket.on('connect_error', (e) => (error = e));
    socket.connect();
    await waitFor(() => error, 'connect_error');
    expect(error!.data?.code).to.equal('TOKEN_EXPIRED');
    expect(socket.active).to.equal(false);
  });

  it('reconnects by itself after the transport drops', async () => {
    socket = new MiniSocket(origin, { auth: (cb) => cb({ token: 'drop-once' }), reconnectionDelay: 50 });
    const seen: string[] = [];
    socket.on('connect', () => seen.push('connect'));
    socket.on('disconnect', (reason) => seen.push(`disconnect:${reason}`));
    socket.connect();
    await waitFor(() => seen.filter((s) => s === 'connect').length === 2, 'second connect', 5000);
    expect(seen).to.deep.equal(['connect', 'disconnect:transport close', 'connect']);
  });

  it('drives LiveService: refresh on TOKEN_EXPIRED, then connected', async () => {
    let token = 'expired';
    const service = new LiveService({
      url: origin,
      getToken: async () => token,
      refreshToken: async () => (token = 'good'),
    });
    const updates: string[] = [];
    service.on('lead:updated', ({ lead }) => updates.push(lead.name));
    service.connect();
    try {
      await waitFor(() => service.status === 'connected', 'connected after refresh', 5000);
      await waitFor(() => updates.length === 1);
      expect(updates).to.deep.equal(['From the server']);
    } finally {
      service.disconnect();
    }
  });

  it('drives LiveService: when the server closes an expired session, it refreshes the token, reconnects and asks for a refetch', async () => {
    let token = 'expires-soon';
    let refreshes = 0;
    const service = new LiveService({
      url: origin,
      getToken: async () => token,
      refreshToken: async () => {
        refreshes++;
        return (token = 'good');
      },
    });
    const statuses: string[] = [];
    let reconnected = 0;
    service.on('status', (s) => statuses.push(s));
    service.on('reconnected', () => reconnected++);
    service.connect();
    try {
      await waitFor(() => reconnected === 1, 'reconnected after the session expired', 5000);
      expect(refreshes).to.equal(1);
      expect(service.status).to.equal('connected');
      expect(statuses).to.deep.equal(['connecting', 'connected', 'disconnected', 'connected']);
    } finally {
      service.disconnect();
    }
  });
});
