/** Server errors with MongoDB's numeric codes and code names, turned into `{ ok: 0, errmsg, code, codeName }` replies. */
import type { Document } from 'bson';

export const Codes = {
  InternalError: 1,
  BadValue: 2,
  FailedToParse: 9,
  Unauthorized: 13,
  TypeMismatch: 14,
  IllegalOperation: 20,
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  CursorNotFound: 43,
  NamespaceExists: 48,
  CommandNotFound: 59,
  ImmutableField: 66,
  InvalidOptions: 72,
  InvalidNamespace: 73,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  CannotIndexParallelArrays: 171,
  InvalidIdField: 53,
  Location10334: 10334,
  DuplicateKey: 11000,
  Location17419: 17419,
  NoSuchTransaction: 251,
  Location40324: 40324,
  CommandNotSupportedOnView: 166,
  OptionNotSupportedOnView: 167,
  InvalidViewDefinition: 182,
  ViewDepthLimitExceeded: 165,
  GraphContainsCycle: 5,
  MergeStageNoMatchingDocument: 13113,
  InvalidPipelineOperator: 168,
  NoSuchKey: 4,
  CommandNotSupported: 115,
  IDLUnknownField: 40415,
  IDLFailedToParse: 40414,
} as const;

const NAMES: Record<number, string> = {
  1: 'InternalError',
  2: 'BadValue',
  9: 'FailedToParse',
  13: 'Unauthorized',
  14: 'TypeMismatch',
  20: 'IllegalOperation',
  26: 'NamespaceNotFound',
  27: 'IndexNotFound',
  43: 'CursorNotFound',
  48: 'NamespaceExists',
  53: 'InvalidIdField',
  59: 'CommandNotFound',
  66: 'ImmutableField',
  72: 'InvalidOptions',
  73: 'InvalidNamespace',
  85: 'IndexOptionsConflict',
  86: 'IndexKeySpecsConflict',
  171: 'CannotIndexParallelArrays',
  10334: 'BSONObjectTooLarge',
  11000: 'DuplicateKey',
  17419: 'Location17419',
  40324: 'Location40324',
  4: 'NoSuchKey',
  5: 'GraphContainsCycle',
  115: 'CommandNotSupported',
  165: 'ViewDepthLimitExceeded',
  166: 'CommandNotSupportedOnView',
  167: 'OptionNotSupportedOnView',
  168: 'InvalidPipelineOperator',
  182: 'InvalidViewDefinition',
  13113: 'MergeStageNoMatchingDocument',
  // numeric-only assertion codes: mongod names them Location<code>
  40414: 'Location40414',
  40415: 'Location40415',
  52: 'DollarPrefixedFieldName',
  4662500: 'Location4662500',
};

export class ServerError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly extra: Document = {},
  ) {
    super(message);
  }
  get codeName(): string {
    return NAMES[this.code] ?? 'Location' + this.code;
  }
  toReply(): Document {
    return { ok: 0, errmsg: this.message, code: this.code, codeName: this.codeName, ...this.extra };
  }
  /** Shape of one element of `writeErrors`. */
  toWriteError(index: number): Document {
    return { index, code: this.code, errmsg: this.message, ...this.extra };
  }
}

/** Converts anything thrown while running a command (including mingo's errors) into a ServerError. */
export function asServerError(e: unknown): ServerError {
  if (e instanceof ServerError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  if (/unknown|unsupported|not supported|invalid|must be|expected/i.test(msg)) return new ServerError(Codes.BadValue, msg);
  return new ServerError(Codes.BadValue, msg);
}
