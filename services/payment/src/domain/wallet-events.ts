/**
 * Event sourcing: a wallet is the stream of these immutable facts, as a bank records every transaction.
 * The balance is never stored as the truth; it is a fold over the stream, and read models are rebuilt from it.
 * See docs/patterns/04-event-sourcing.md.
 */
import { DomainError } from '@shop/platform/errors';

/** Why a charge was declined. A decline is a fact too, recorded in the stream. */
export type DeclineReason = 'INSUFFICIENT_FUNDS' | 'ORDER_VOIDED';

export interface WalletOpened {
  readonly type: 'WalletOpened';
  readonly data: { readonly userId: string };
}

export interface FundsDeposited {
  readonly type: 'FundsDeposited';
  readonly data: { readonly depositId: string; readonly amountCents: number };
}

export interface PaymentCharged {
  readonly type: 'PaymentCharged';
  readonly data: { readonly orderId: string; readonly amountCents: number };
}

export interface PaymentDeclined {
  readonly type: 'PaymentDeclined';
  readonly data: { readonly orderId: string; readonly amountCents: number; readonly reason: DeclineReason };
}

export interface PaymentRefunded {
  readonly type: 'PaymentRefunded';
  readonly data: { readonly orderId: string; readonly amountCents: number };
}

export type WalletEvent = WalletOpened | FundsDeposited | PaymentCharged | PaymentDeclined | PaymentRefunded;
export type WalletEventType = WalletEvent['type'];

/** Schema version written with every event; a breaking change of a payload is a new version, read by an upcaster here. */
export const WALLET_EVENT_SCHEMA_VERSION = 1;

const STREAM_PREFIX = 'wallet-';

/** One stream per customer: `wallet-<userId>`. */
export function walletStreamId(userId: string): string {
  return `${STREAM_PREFIX}${userId}`;
}

/** The user id of a wallet stream, or undefined for a stream of another kind. */
export function userIdOfWalletStream(streamId: string): string | undefined {
  return streamId.startsWith(STREAM_PREFIX) ? streamId.slice(STREAM_PREFIX.length) : undefined;
}

/** How one event moves the balance. The aggregate and the balance projection both fold with this, so they agree. */
export function balanceDelta(event: WalletEvent): number {
  switch (event.type) {
    case 'FundsDeposited':
    case 'PaymentRefunded':
      return event.data.amountCents;
    case 'PaymentCharged':
      return -event.data.amountCents;
    case 'WalletOpened':
    case 'PaymentDeclined':
      return 0;
  }
}

/** Turns a stored event (type, schema version, JSON data) back into a typed wallet event, refusing anything unknown. */
export function decodeWalletEvent(type: string, schemaVersion: number, data: unknown): WalletEvent {
  if (schemaVersion !== WALLET_EVENT_SCHEMA_VERSION) throw undecodable(type, `schema version ${schemaVersion} is unknown`);
  const record = isRecord(data) ? data : undefined;
  if (!record) throw undecodable(type, 'data is not an object');
  switch (type) {
    case 'WalletOpened':
      return { type, data: { userId: text(record, 'userId', type) } };
    case 'FundsDeposited':
      return { type, data: { depositId: text(record, 'depositId', type), amountCents: cents(record, 'amountCents', type) } };
    case 'PaymentCharged':
    case 'PaymentRefunded':
      return { type, data: { orderId: text(record, 'orderId', type), amountCents: cents(record, 'amountCents', type) } };
    case 'PaymentDeclined': {
      const reason = record.reason;
      if (reason !== 'INSUFFICIENT_FUNDS' && reason !== 'ORDER_VOIDED') throw undecodable(type, `reason ${String(reason)} is unknown`);
      return { type, data: { orderId: text(record, 'orderId', type), amountCents: cents(record, 'amountCents', type), reason } };
    }
    default:
      throw undecodable(type, 'the event type is unknown');
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(record: Record<string, unknown>, field: string, type: string): string {
  const value = record[field];
  if (typeof value !== 'string' || value.length === 0) throw undecodable(type, `${field} is not a string`);
  return value;
}

function cents(record: Record<string, unknown>, field: string, type: string): number {
  const value = record[field];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw undecodable(type, `${field} is not integer cents`);
  return value;
}

function undecodable(type: string, reason: string): DomainError {
  return new DomainError('WALLET.EVENT_UNDECODABLE', 'internal', `Cannot read a stored ${type} event: ${reason}`);
}
