import { randomUUID } from 'node:crypto';
import { type Envelope } from '@shop/contracts';
import { DomainError } from '@shop/platform';

export interface EnvelopeMeta {
  /** The business transaction (order id, request id) this message belongs to. */
  readonly correlationId: string;
  /** The message or request that caused this one; null for a message started by a user action. */
  readonly causationId?: string | null;
  readonly version?: number;
  readonly occurredAt?: Date;
}

/** Builds a message in the shop's envelope: a fresh id, the type with its version, correlation and causation. */
export function envelope<TType extends string, TData>(type: TType, data: TData, meta: EnvelopeMeta): Envelope<TType, TData> {
  const version = meta.version ?? Number(/\.v(\d+)$/.exec(type)?.[1] ?? 1);
  return {
    id: randomUUID(),
    type,
    version,
    occurredAt: (meta.occurredAt ?? new Date()).toISOString(),
    correlationId: meta.correlationId,
    causationId: meta.causationId ?? null,
    data,
  };
}

/**
 * Parses and checks the envelope's shape. A message that is not one is a poison message: the error is a DomainError
 * of category `invalid`, which consumers dead-letter at once (failure-policy.ts).
 */
export function parseEnvelope(raw: string | Buffer | null | undefined): Envelope {
  const malformed = (reason: string): DomainError => new DomainError('MESSAGE.MALFORMED', 'invalid', reason);
  if (raw === null || raw === undefined) throw malformed('empty message');
  let value: unknown;
  try {
    value = JSON.parse(raw.toString());
  } catch (error) {
    throw malformed(`message is not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null) throw malformed('message is not a JSON object');
  const candidate = value as Record<string, unknown>;
  for (const field of ['id', 'type', 'occurredAt', 'correlationId'] as const) {
    if (typeof candidate[field] !== 'string') throw malformed(`envelope field ${field} is missing`);
  }
  if (typeof candidate.version !== 'number') throw malformed('envelope field version is missing');
  if (!('data' in candidate)) throw malformed('envelope field data is missing');
  return value as Envelope;
}
