import { DependencyUnavailableError, DomainError } from './domain-error';

/**
 * Which failures say "not now" rather than "not this": the answer decides whether a caller gets 503 instead of 500,
 * and whether a message handler's failure is waited out (the message is kept and tried again) instead of being counted
 * towards its dead-letter limit (docs/patterns/05-publish-subscribe.md). Framework-free: it reads only the fields the
 * pg driver, TypeORM's QueryFailedError (which copies the driver's fields onto itself) and Node's sockets set.
 */

/** SQLSTATE codes of a database that cannot serve the statement now but will be able to again. */
const TRANSIENT_SQLSTATES: ReadonlySet<string> = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '57014', // query_canceled (statement_timeout)
  '57P01', // admin_shutdown: the session was terminated
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or shutting down
]);
/** SQLSTATE classes that are transient as a whole: 08 connection exception, 53 insufficient resources. */
const TRANSIENT_SQLSTATE_CLASSES: readonly string[] = ['08', '53'];

/** Node socket and DNS error codes: the connection could not be made or was lost. */
const SOCKET_ERROR_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** Messages of node-postgres and pg-pool errors that carry no code. */
const DRIVER_MESSAGES: readonly RegExp[] = [
  /^Connection terminated/, // the server closed the socket, or connectionTimeoutMillis passed
  /^timeout exceeded when trying to connect$/, // pg-pool: no client came free within connectionTimeoutMillis
  /^Client has encountered a connection error and is not queryable$/,
  /^Query read timeout$/, // query_timeout
];

function codeOf(error: object): string | undefined {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const driverCode = (error as { driverError?: { code?: unknown } }).driverError?.code;
  return typeof driverCode === 'string' ? driverCode : undefined;
}

function isTransientDatabaseFailure(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 3) return false;
  const code = codeOf(error);
  if (code !== undefined) {
    if (TRANSIENT_SQLSTATES.has(code) || SOCKET_ERROR_CODES.has(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code) && TRANSIENT_SQLSTATE_CLASSES.includes(code.slice(0, 2))) return true;
  }
  const message = (error as { message?: unknown }).message;
  if (typeof message === 'string' && DRIVER_MESSAGES.some((pattern) => pattern.test(message))) return true;
  // A connection refused on every address of a host name comes as an AggregateError; a wrapped error as its cause.
  const inner = [...((error as { errors?: unknown }).errors instanceof Array ? (error as { errors: unknown[] }).errors : []), (error as { cause?: unknown }).cause];
  return inner.some((candidate) => isTransientDatabaseFailure(candidate, depth + 1));
}

/**
 * The database failure as a `DependencyUnavailableError` (503, gRPC UNAVAILABLE) when the database cannot be used
 * right now: lost or refused connections, a full pool, a terminated session, a serialization failure or deadlock, a
 * statement timeout. Undefined for anything else, which stays what it was (a constraint violation is a bug or a
 * conflict, not an outage). Its message is what a client may read; the driver's own (addresses, SQL) stays in the log.
 */
export function databaseUnavailable(error: unknown): DependencyUnavailableError | undefined {
  if (error instanceof DomainError || !isTransientDatabaseFailure(error)) return undefined;
  return new DependencyUnavailableError('database', 'try again shortly');
}

/** True for a failure worth waiting out: a dependency unavailable or too slow, or the database unavailable. */
export function isTransientFailure(error: unknown): boolean {
  if (error instanceof DomainError) return error.category === 'unavailable' || error.category === 'timeout';
  return isTransientDatabaseFailure(error);
}
