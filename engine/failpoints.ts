/**
 * `configureFailPoint` with the `failCommand` fail point, as mongod has it with `--setParameter enableTestCommands=1`
 * (the engine: `startEngine({ enableTestCommands: true })`). Without that flag the command does not exist (59).
 *
 * Modes: 'alwaysOn', 'off', {times: n}, {skip: n}, {activationProbability: p}. Data: failCommands (required), errorCode,
 * errorLabels, closeConnection, writeConcernError, appName, blockConnection + blockTimeMS, namespace. The reply is
 * `{count: <times entered before>, ok: 1}`. configureFailPoint itself is never failed.
 */
import type { Document } from 'bson';
import { Codes, ServerError } from './errors.js';
import { isPlainObject } from './values.js';

/** Set on a reply when the connection must be closed without answering. */
export const CLOSE_CONNECTION = Symbol('closeConnection');

export const TEST_COMMANDS = new Set(['configureFailPoint']);

/** Names of codes tests commonly inject (the reply's codeName). */
const CODE_NAMES: Record<number, string> = {
  6: 'HostUnreachable',
  7: 'HostNotFound',
  8: 'UnknownError',
  50: 'MaxTimeMSExpired',
  64: 'WriteConcernTimeout',
  89: 'NetworkTimeout',
  91: 'ShutdownInProgress',
  100: 'UnsatisfiableWriteConcern',
  112: 'WriteConflict',
  189: 'PrimarySteppedDown',
  262: 'ExceededTimeLimit',
  9001: 'SocketException',
  10107: 'NotWritablePrimary',
  11600: 'InterruptedAtShutdown',
  11602: 'InterruptedDueToReplStateChange',
  13435: 'NotPrimaryNoSecondaryOk',
  13436: 'NotPrimaryOrSecondary',
};

interface State {
  mode: 'alwaysOn' | 'times' | 'skip' | 'activationProbability';
  n: number;
  data: Document;
}

export interface FailAction {
  close?: boolean;
  blockMs?: number;
  /** Reply to send instead of running the command. */
  error?: Document;
  /** Added to the reply after running the command. */
  writeConcernError?: Document;
  errorLabels?: string[];
}

export class FailPoints {
  private state: State | null = null;
  private timesEntered = 0;

  configure(cmd: Document): Document {
    const name = cmd.configureFailPoint;
    if (typeof name !== 'string') throw new ServerError(Codes.TypeMismatch, "BSON field 'configureFailPoint' is the wrong type, expected type 'string'");
    if (name !== 'failCommand') throw new ServerError(Codes.BadValue, `${name} not found`);
    const before = this.timesEntered;
    const mode = cmd.mode;
    if (mode === 'off') this.state = null;
    else {
      const data = cmd.data ?? {};
      if (!isPlainObject(data)) throw new ServerError(Codes.TypeMismatch, "the 'data' option must be a BSON object");
      let state: State;
      if (mode === 'alwaysOn') state = { mode: 'alwaysOn', n: 0, data };
      else if (isPlainObject(mode) && typeof mode.times === 'number') {
        if (mode.times < 0) throw new ServerError(Codes.BadValue, 'times must be positive');
        state = { mode: 'times', n: mode.times, data };
      } else if (isPlainObject(mode) && typeof mode.skip === 'number') {
        if (mode.skip < 0) throw new ServerError(Codes.BadValue, 'skip must be positive');
        state = { mode: 'skip', n: mode.skip, data };
      } else if (isPlainObject(mode) && typeof mode.activationProbability === 'number') {
        const p = mode.activationProbability;
        if (p < 0 || p > 1) throw new ServerError(Codes.BadValue, 'activationProbability must be between 0.0 and 1.0');
        state = { mode: 'activationProbability', n: p, data };
      } else throw new ServerError(Codes.BadValue, "'mode' must be one of 'off', 'alwaysOn', 'times', and 'skip'");
      this.state = state.mode === 'times' && state.n === 0 ? null : state;
    }
    return { count: before, ok: 1 };
  }

  /** What the fail point does to this command (null: nothing). Counts an activation. */
  check(cmdName: string, cmd: Document, db: string, appName: string | undefined): FailAction | null {
    const st = this.state;
    if (!st || cmdName === 'configureFailPoint') return null;
    const d = st.data;
    const names = Array.isArray(d.failCommands) ? (d.failCommands as unknown[]).map(String) : [];
    if (!names.includes(cmdName)) return null;
    if (typeof d.appName === 'string' && d.appName !== appName) return null;
    if (typeof d.namespace === 'string') {
      const coll = cmd[cmdName];
      if (typeof coll !== 'string' || `${db}.${coll}` !== d.namespace) return null;
    }
    // mode accounting: only matching commands count
    if (st.mode === 'skip' && st.n > 0) {
      st.n--;
      return null;
    }
    if (st.mode === 'activationProbability' && Math.random() >= st.n) return null;
    this.timesEntered++;
    if (st.mode === 'times' && --st.n <= 0) this.state = null;
    const act: FailAction = {};
    if (d.closeConnection === true) {
      act.close = true;
      return act;
    }
    if (d.blockConnection === true) act.blockMs = typeof d.blockTimeMS === 'number' ? d.blockTimeMS : 0;
    const labels = Array.isArray(d.errorLabels) ? (d.errorLabels as unknown[]).map(String) : undefined;
    if (typeof d.errorCode === 'number') {
      const error: Document = {
        ok: 0,
        errmsg: "Failing command via 'failCommand' failpoint",
        code: d.errorCode,
        codeName: CODE_NAMES[d.errorCode] ?? new ServerError(d.errorCode, '').codeName,
      };
      if (isPlainObject(d.errorExtraInfo)) Object.assign(error, d.errorExtraInfo);
      if (labels) error.errorLabels = labels;
      act.error = error;
    } else if (isPlainObject(d.writeConcernError)) {
      act.writeConcernError = d.writeConcernError;
      if (labels) act.errorLabels = labels;
    }
    return act;
  }
}
