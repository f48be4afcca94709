/**
 * MiniSocket: a WebSocket-only Socket.IO client (Engine.IO protocol 4, Socket.IO protocol 5, default namespace),
 * for receiving the server's events (and sending the few the widget sends: presence). It replaces socket.io-client in the widget because that library (with its
 * polling and WebTransport transports) costs about 13 KB gzip of the 40 KB script-tag budget; the widget mostly
 * listens, so this covers what it uses: auth in the CONNECT packet, heartbeats, CONNECT_ERROR with `data`,
 * EVENT packets, and reconnection with backoff. Behaviour mirrors socket.io-client's `Socket`:
 * after a refused CONNECT (`connect_error` from a middleware) `active` is false and it does not retry by itself.
 */

type Handler = (...args: never[]) => void;

export interface MiniSocketOptions {
  path?: string;
  /** Called before every CONNECT: pass the auth payload (e.g. `{ token }`). */
  auth?: (cb: (data: object) => void) => void;
  reconnectionDelay?: number;
  reconnectionDelayMax?: number;
}

export class MiniSocket {
  /** True while it connects or will reconnect on its own. */
  active = false;
  connected = false;
  private ws: WebSocket | null = null;
  private handlers = new Map<string, Set<Handler>>();
  private attempts = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setTimeout> | undefined;
  private pingWindow = 45_000;

  constructor(
    private readonly url: string,
    private readonly opts: MiniSocketOptions = {},
  ) {}

  on(event: string, handler: (...args: any[]) => void): this {
    let set = this.handlers.get(event);
    if (!set) this.handlers.set(event, (set = new Set()));
    set.add(handler as Handler);
    return this;
  }

  connect(): this {
    if (this.ws) return this;
    this.active = true;
    this.open();
    return this;
  }

  /** Send an EVENT packet (no acknowledgement); dropped while not connected, like a volatile emit. */
  emit(event: string, ...args: unknown[]): this {
    if (this.connected) this.send(`42${JSON.stringify([event, ...args])}`);
    return this;
  }

  disconnect(): this {
    this.active = false;
    clearTimeout(this.retryTimer);
    if (this.ws && this.connected) this.send('41');
    this.close('io client disconnect');
    return this;
  }

  private fire(event: string, ...args: unknown[]): void {
    for (const h of [...(this.handlers.get(event) ?? [])]) (h as (...a: unknown[]) => void)(...args);
  }

  private open(): void {
    clearTimeout(this.retryTimer);
    const url = new URL((this.opts.path ?? '/socket.io').replace(/\/?$/, '/'), this.url);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('EIO', '4');
    url.searchParams.set('transport', 'websocket');
    let ws: WebSocket;
    try {
      ws = new WebSocket(url);
    } catch (err) {
      this.fire('connect_error', err);
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    ws.onmessage = (e) => this.onPacket(String(e.data));
    ws.onclose = () => {
      if (this.ws !== ws) return;
      const was = this.connected;
      this.close('transport close');
      if (!was && this.active) this.fire('connect_error', new Error('websocket error'));
      this.scheduleRetry();
    };
  }

  private close(reason: string): void {
    clearTimeout(this.pingTimer);
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onclose = ws.onmessage = null;
      ws.close();
    }
    if (this.connected) {
      this.connected = false;
      this.fire('disconnect', reason);
    }
  }

  private scheduleRetry(): void {
    if (!this.active) return;
    const base = this.opts.reconnectionDelay ?? 1000;
    const delay = Math.min(base * 2 ** this.attempts++, this.opts.reconnectionDelayMax ?? 5000) * (0.5 + Math.random() / 2);
    this.retryTimer = setTimeout(() => this.active && !this.ws && this.open(), delay);
  }

  private send(packet: string): void {
    if (this.ws?.readyState === 1) this.ws.send(packet);
  }

  private heartbeat(): void {
    clearTimeout(this.pingTimer);
    this.pingTimer = setTimeout(() => {
      this.close('ping timeout');
      this.scheduleRetry();
    }, this.pingWindow);
  }

  private onPacket(data: string): void {
    switch (data[0]) {
      case '0': {
        // Engine.IO OPEN: heartbeat settings, then the Socket.IO CONNECT with the auth payload.
        const { pingInterval, pingTimeout } = JSON.parse(data.slice(1)) as { pingInterval: number; pingTimeout: number };
        this.pingWindow = pingInterval + pingTimeout;
        this.heartbeat();
        const connect = (auth?: object) => this.send(`40${auth ? JSON.stringify(auth) : ''}`);
        if (this.opts.auth) this.opts.auth(connect);
        else connect();
        return;
      }
      case '2':
        this.send('3');
        this.heartbeat();
        return;
      case '1':
        this.close('transport close');
        this.scheduleRetry();
        return;
      case '4':
        this.onSocketIoPacket(data[1], data.slice(2));
    }
  }

  private onSocketIoPacket(type: string, payload: string): void {
    if (type === '0') {
      this.connected = true;
      this.attempts = 0;
      this.fire('connect');
    } else if (type === '4') {
      // CONNECT_ERROR from a middleware: like socket.io-client, stop and leave the retry to the caller.
      const body = JSON.parse(payload || '{}') as { message?: string; data?: unknown };
      this.active = false;
      this.close('connect error');
      this.fire('connect_error', Object.assign(new Error(body.message ?? 'connect error'), { data: body.data }));
    } else if (type === '2') {
      const [name, ...args] = JSON.parse(payload.replace(/^\d+/, '')) as [string, ...unknown[]];
      this.fire(name, ...args);
    } else if (type === '1') {
      this.active = false;
      this.close('io server disconnect');
    }
  }
}
