import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Structured logs. Secrets, tokens, credentials and message bodies never reach a log line: the paths below are redacted,
 * and the request logger only logs method, path (without query string), status, duration and ids.
 */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger {
  const redact = {
    paths: ['authorization', 'token', 'secret', 'authToken', 'apiKey', 'password', 'body', 'credentials'].flatMap((k) => [k, `*.${k}`]),
    censor: '[redacted]',
  };
  return pino({ level, base: undefined, redact }, destination);
}
