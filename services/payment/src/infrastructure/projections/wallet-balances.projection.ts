/**
 * Event sourcing, read side: `wallet_balances` is the running fold of each wallet stream (balance and version),
 * so reading a balance is one row, not a replay. Rebuilt from the events alone by `replay`.
 * See docs/patterns/04-event-sourcing.md.
 */
import { type EntityManager } from 'typeorm';
import { type RecordedEvent } from '../../application/ports/event-store.port';
import { balanceDelta, decodeWalletEvent, userIdOfWalletStream } from '../../domain/wallet-events';
import { type Projection } from './projection';

interface BalanceChange {
  deltaCents: number;
  version: number;
  updatedAt: Date;
}

export class WalletBalancesProjection implements Projection {
  readonly name = 'wallet_balances';

  async reset(tx: EntityManager): Promise<void> {
    await tx.query(`TRUNCATE wallet_balances`);
  }

  /** One statement per batch: the events are folded per wallet first, then each row moves by its summed delta. */
  async apply(tx: EntityManager, events: readonly RecordedEvent[]): Promise<void> {
    const changes = new Map<string, BalanceChange>();
    for (const event of events) {
      const userId = userIdOfWalletStream(event.streamId);
      if (!userId) continue;
      const change = changes.get(userId) ?? { deltaCents: 0, version: 0, updatedAt: event.occurredAt };
      change.deltaCents += balanceDelta(decodeWalletEvent(event.type, event.schemaVersion, event.data));
      change.version = event.version;
      change.updatedAt = event.occurredAt;
      changes.set(userId, change);
    }
    if (changes.size === 0) return;
    const rows = [...changes.entries()];
    // Update existing rows, insert the rest. (Not INSERT .. ON CONFLICT: PostgreSQL checks the CHECK on the proposed
    // row, and a wallet's delta alone may be negative while its balance is not.)
    await tx.query(
      `WITH change AS (
         SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::int[], $4::timestamptz[]) AS c(user_id, delta, version, updated_at)
       ), updated AS (
         UPDATE wallet_balances AS b
            SET balance_cents = b.balance_cents + change.delta, version = change.version, updated_at = change.updated_at
           FROM change WHERE b.user_id = change.user_id
         RETURNING b.user_id
       )
       INSERT INTO wallet_balances (user_id, balance_cents, version, updated_at)
       SELECT user_id, delta, version, updated_at FROM change WHERE user_id NOT IN (SELECT user_id FROM updated)`,
      [
        rows.map(([userId]) => userId),
        rows.map(([, change]) => change.deltaCents),
        rows.map(([, change]) => change.version),
        rows.map(([, change]) => change.updatedAt),
      ],
    );
  }
}
