import { createClient } from 'redis';
import type { PresenceActivity } from '../../../core/team.js';

/** One socket's presence on one lead. Times in ms. */
export interface PresenceEntry {
  leadId: string;
  socketId: string;
  userId: string;
  name: string;
  activity: PresenceActivity;
  since: number;
  expiresAt: number;
}

/**
 * Where presence lives: in memory for one instance alone, in Redis when instances share it (REDIS_URL). Entries carry
 * their own expiry; readers ignore expired ones, and the sweepers remove them (`remove` says which caller removed an
 * entry, so exactly one instance announces its expiry).
 */
export interface PresenceStore {
  /** Writes the entry (keyed by lead and socket); returns the one it replaced, if any. */
  put(orgId: string, entry: PresenceEntry, ttlMs: number): Promise<PresenceEntry | null>;
  /** true when this call removed the entry. */
  remove(orgId: string, leadId: string, socketId: string): Promise<boolean>;
  /** Every entry of the clinic, expired ones included (the caller filters). */
  all(orgId: string): Promise<PresenceEntry[]>;
  close(): Promise<void>;
}

const field = (leadId: string, socketId: string) => `${leadId}:${socketId}`;

export class MemoryPresenceStore implements PresenceStore {
  private readonly orgs = new Map<string, Map<string, PresenceEntry>>();

  async put(orgId: string, entry: PresenceEntry): Promise<PresenceEntry | null> {
    let org = this.orgs.get(orgId);
    if (!org) this.orgs.set(orgId, (org = new Map()));
    const key = field(entry.leadId, entry.socketId);
    const previous = org.get(key) ?? null;
    org.set(key, entry);
    return previous;
  }

  async remove(orgId: string, leadId: string, socketId: string): Promise<boolean> {
    const org = this.orgs.get(orgId);
    const removed = org?.delete(field(leadId, socketId)) ?? false;
    if (org && org.size === 0) this.orgs.delete(orgId);
    return removed;
  }

  async all(orgId: string): Promise<PresenceEntry[]> {
    return [...(this.orgs.get(orgId)?.values() ?? [])];
  }

  async close(): Promise<void> {
    this.orgs.clear();
  }
}

/**
 * Redis: one hash per clinic (`ll:presence:<orgId>`, field `<leadId>:<socketId>`, value the entry as JSON), whose key
 * expires twice the entry TTL after its last write, so a clinic nobody is on leaves nothing behind even if every instance
 * died. (Redis 7.0 has no per-field expiry; each entry carries its own `expiresAt`.)
 */
export class RedisPresenceStore implements PresenceStore {
  private constructor(private readonly client: ReturnType<typeof createClient>) {}

  static async connect(url: string, onError: (err: Error) => void): Promise<RedisPresenceStore> {
    const client = createClient({ url });
    client.on('error', onError);
    await client.connect();
    return new RedisPresenceStore(client);
  }

  private key = (orgId: string) => `ll:presence:${orgId}`;

  async put(orgId: string, entry: PresenceEntry, ttlMs: number): Promise<PresenceEntry | null> {
    const key = this.key(orgId);
    const f = field(entry.leadId, entry.socketId);
    const [previous] = await this.client.multi().hGet(key, f).hSet(key, f, JSON.stringify(entry)).pExpire(key, ttlMs * 2).exec();
    return typeof previous === 'string' ? parse(previous) : null;
  }

  async remove(orgId: string, leadId: string, socketId: string): Promise<boolean> {
    return (await this.client.hDel(this.key(orgId), field(leadId, socketId))) === 1;
  }

  async all(orgId: string): Promise<PresenceEntry[]> {
    const raw = await this.client.hGetAll(this.key(orgId));
    return Object.values(raw).map(parse).filter((e): e is PresenceEntry => e !== null);
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => undefined);
  }
}

function parse(text: string): PresenceEntry | null {
  try {
    const e = JSON.parse(text) as PresenceEntry;
    return typeof e.leadId === 'string' && typeof e.expiresAt === 'number' ? e : null;
  } catch {
    return null;
  }
}
