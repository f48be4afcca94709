/**
 * A bench API server in a child process (bench/realtime-server.ts), driven over IPC: the realtime and presence benches
 * start their instances with it, so the clients they measure do not share the server's event loop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildOptions } from './realtime-server.js';

const here = dirname(fileURLToPath(import.meta.url));

export interface Child {
  url: string;
  dbUri: string | null;
  call<T>(cmd: Record<string, unknown> & { cmd: string }): Promise<T>;
  stop(): Promise<void>;
}

export async function startChild(options: ChildOptions): Promise<Child> {
  const proc: ChildProcess = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', join(here, 'realtime-server.ts'), JSON.stringify(options)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, LOG_LEVEL: 'silent' },
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  const ready = new Promise<{ url: string; dbUri: string | null }>((resolve, reject) => {
    proc.once('exit', (code) => {
      const err = new Error(`bench server (${options.mode}) exited with ${code}`);
      reject(err);
      for (const p of pending.values()) p.reject(err);
      pending.clear();
    });
    proc.on('message', (msg: { type?: string; id?: number; ok?: boolean; result?: unknown; error?: string; url?: string; dbUri?: string | null }) => {
      if (msg.type === 'ready') return resolve({ url: msg.url!, dbUri: msg.dbUri ?? null });
      const p = pending.get(msg.id!);
      if (!p) return;
      pending.delete(msg.id!);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new Error(msg.error));
    });
  });
  const { url, dbUri } = await ready;
  const child: Child = {
    url,
    dbUri,
    call<T>(cmd: Record<string, unknown> & { cmd: string }) {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        proc.send({ ...cmd, id });
      });
    },
    async stop() {
      if (proc.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      await child.call({ cmd: 'close' }).catch(() => undefined);
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
  return child;
}
