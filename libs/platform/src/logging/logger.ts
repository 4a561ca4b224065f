import { type LoggerService } from '@nestjs/common';
import pino, { type DestinationStream, type Logger, type LoggerOptions, type LevelWithSilent } from 'pino';
import { logCorrelation } from '../telemetry/trace-context';

export type { Logger } from 'pino';

/**
 * Fields never written as they are: credentials, tokens, keys and authentication headers, at the top level and
 * two levels down (`{ body: { password } }`, `{ req: { headers: { authorization } } }`).
 */
const SECRET_KEYS = [
  'password',
  'newPassword',
  'currentPassword',
  'passwordHash',
  'token',
  'accessToken',
  'refreshToken',
  'idToken',
  'secret',
  'privateKey',
  'jwtPrivateKey',
  'apiKey',
  'authorization',
  'cookie',
  'USER_JWT_PRIVATE_KEY',
];
const SECRET = new Set(SECRET_KEYS);
const CENSOR = '[redacted]';
/** Levels below the top at which a secret key is still found: two, as in `*.*.password`. */
const NESTED_LEVELS = 2;

/**
 * `value` with every secret key, at the top level and up to two levels down (in objects and arrays alike), replaced by
 * `[redacted]`: what pino's `redact` option does with the paths `password`, `*.password`, `*.*.password` (and so on
 * for each key), without that option's cost on every field of every line (it parses each wildcard path again for each
 * field: most of the time an access-log line took). The caller's objects are never changed: only the objects on the
 * way to a secret are copied, so a line with no secret costs one pass over its keys and no allocation.
 */
export function redactSecrets<T>(value: T, levels: number = NESTED_LEVELS): T {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return value;
  const source = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(source)) {
    const field = source[key];
    let redacted = field;
    if (SECRET.has(key)) {
      if (field !== undefined) redacted = CENSOR;
    } else if (levels > 0 && field !== null && typeof field === 'object') {
      redacted = redactSecrets(field, levels - 1);
    }
    if (redacted === field) continue;
    copy ??= shallowCopy(source);
    Object.defineProperty(copy, key, { value: redacted, enumerable: true, writable: true, configurable: true });
  }
  return (copy ?? value) as T;
}

/**
 * A copy that keeps what makes the object what it is: an array stays an array, an Error keeps its prototype, message
 * and stack (values read from the original: V8's `stack` accessor answers only on the error itself).
 */
function shallowCopy(source: Record<string, unknown>): Record<string, unknown> {
  if (Array.isArray(source)) return source.slice() as unknown as Record<string, unknown>;
  const copy = Object.create(Object.getPrototypeOf(source) as object | null) as Record<string, unknown>;
  for (const key of Object.getOwnPropertyNames(source)) {
    const enumerable = Object.prototype.propertyIsEnumerable.call(source, key);
    Object.defineProperty(copy, key, { value: source[key], enumerable, writable: true, configurable: true });
  }
  return copy;
}

/**
 * Structured JSON logs, one object a line: the service name on every line, and within a request or a message the
 * trace id, span id and request id of the active trace context (libs/platform/src/telemetry), so a line found in a
 * log leads to its trace in Jaeger and back.
 *
 * Lines go to stdout through an asynchronous destination (sonic-boom with `sync: false`): a line is handed to the
 * kernel off the request's path, and lines logged while a write is in flight leave together in the next one. What is
 * still buffered is written on exit and by `flushLogs` during a graceful stop (PlatformModule calls it last).
 */
export function createLogger(service: string, level: LevelWithSilent = 'info', destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      bindings: (bindings) => redactSecrets(bindings),
      log: (fields) => redactSecrets(fields),
    },
    hooks: {
      // Objects interpolated into the message (`logger.info('%j', value)`) are redacted like the logged fields.
      logMethod(args, method) {
        const values = args as unknown[];
        if (values.length > 1) {
          for (let i = typeof values[0] === 'string' ? 1 : 2; i < values.length; i++) values[i] = redactSecrets(values[i]);
        }
        method.apply(this, args);
      },
    },
    mixin: () => logCorrelation(),
  };
  return pino(options, destination ?? pino.destination({ dest: process.stdout.fd ?? 1, sync: false }));
}

/** Writes the log lines still buffered (a graceful stop ends with it: the process may be gone before the next write). */
export function flushLogs(logger: Logger): Promise<void> {
  return new Promise<void>((resolve) => {
    logger.flush(() => resolve());
  });
}

/** Routes Nest's own log calls into the same JSON logger. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string): void {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}
