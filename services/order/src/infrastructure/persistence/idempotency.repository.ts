import { Injectable } from '@nestjs/common';
import { DomainError } from '@shop/platform';
import { DataSource, type EntityManager } from 'typeorm';

export type IdempotencyClaim =
  | { readonly kind: 'claimed' }
  | { readonly kind: 'existing'; readonly requestHash: string; readonly orderId: string | null; readonly ageMs: number };

/** Idempotency keys, scoped per user (IETF httpapi idempotency-key draft). */
@Injectable()
export class IdempotencyRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Claims the key for this request, committed at once so a concurrent duplicate sees it; or returns the existing claim. */
  async claim(userId: string, key: string, requestHash: string): Promise<IdempotencyClaim> {
    const inserted: unknown[] = await this.dataSource.query(
      `INSERT INTO idempotency_keys (user_id, key, request_hash) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1`,
      [userId, key, requestHash],
    );
    if (inserted.length > 0) return { kind: 'claimed' };
    const [row]: Array<{ request_hash: string; order_id: string | null; age_ms: number }> = await this.dataSource.query(
      `SELECT request_hash, order_id, (extract(epoch FROM now() - created_at) * 1000)::float AS age_ms FROM idempotency_keys WHERE user_id = $1 AND key = $2`,
      [userId, key],
    );
    if (!row) return this.claim(userId, key, requestHash);
    return { kind: 'existing', requestHash: row.request_hash, orderId: row.order_id, ageMs: row.age_ms };
  }

  /** Takes over a claim whose request died before finishing (no order after `staleMs`). */
  async takeOver(userId: string, key: string, staleMs: number): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `UPDATE idempotency_keys SET created_at = now()
        WHERE user_id = $1 AND key = $2 AND order_id IS NULL AND created_at < now() - ($3 || ' milliseconds')::interval RETURNING 1`,
      [userId, key, String(staleMs)],
    );
    return (Array.isArray(rows[0]) ? (rows[0] as unknown[]) : rows).length > 0;
  }

  /**
   * Records the order the key's request created, in that order's transaction. Only a key with no order yet: a request
   * that stalled past the takeover while another request took its key over and created the order finds the key taken,
   * and its own order rolls back instead of becoming a second order for one key.
   */
  async complete(manager: EntityManager, userId: string, key: string, orderId: string): Promise<void> {
    const result: [unknown[], number] = await manager.query(
      `UPDATE idempotency_keys SET order_id = $3, completed_at = now() WHERE user_id = $1 AND key = $2 AND order_id IS NULL`,
      [userId, key, orderId],
    );
    if (result[1] === 0) {
      throw new DomainError('ORDER.REQUEST_IN_PROGRESS', 'conflict', 'Another request with this Idempotency-Key has already created its order');
    }
  }

  /** The request failed before creating anything: the client may retry with the same key. */
  async release(userId: string, key: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND order_id IS NULL`, [userId, key]);
  }
}
