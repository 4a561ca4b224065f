import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { type SagaState } from '../../application/sagas/saga';

interface SagaRow {
  order_id: string;
  status: SagaState['status'];
  step_index: number;
  pending_compensations: number[];
  reason: string | null;
  attempts: number;
  deadline_at: Date;
}

const LEASE_MS = 10_000;

/** A claimed saga: its state, and the lease that every save of this run names. */
export type ClaimedSaga = SagaState & { readonly lease: string };

/** The run's lease is no longer on record: another run took the saga over after it ran out. */
export class SagaLeaseLostError extends Error {
  constructor(orderId: string) {
    super(`the saga of order ${orderId} is held by another run now`);
    this.name = 'SagaLeaseLostError';
  }
}
const START_GRACE_MS = 2_000;

/**
 * Saga state, persisted after every step. A lease marks which process is running a saga; when that process dies
 * the lease runs out and another run (or the restarted process) picks the saga up where it stopped.
 */
@Injectable()
export class SagaRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * A new saga is due only after START_GRACE_MS: the process that placed the order starts it at once (`claim` with
   * `justCreated`, in the request's trace), and the poller takes it only if that never happened (the process died
   * between commit and start). Without the grace, a poll landing between the two would run it outside its trace.
   */
  async create(manager: EntityManager, orderId: string, saga: string, deadlineAt: Date): Promise<void> {
    await manager.query(
      `INSERT INTO saga_instances (order_id, saga, status, step_index, deadline_at, next_attempt_at)
        VALUES ($1, $2, 'RUNNING', 0, $3, now() + ($4 || ' milliseconds')::interval)`,
      [orderId, saga, deadlineAt, String(START_GRACE_MS)],
    );
  }

  /**
   * Takes the lease of a due, unfinished saga; undefined when another run holds it or it is not due. `justCreated`:
   * the placing process starts its new saga within the start grace (never once a step has run or been retried).
   */
  async claim(orderId: string, options: { justCreated?: boolean } = {}): Promise<ClaimedSaga | undefined> {
    const lease = randomUUID();
    const result: [SagaRow[], number] = await this.dataSource.query(
      `UPDATE saga_instances SET lease_until = now() + ($2 || ' milliseconds')::interval, lease_owner = $4
        WHERE order_id = $1 AND status <> 'DONE' AND (lease_until IS NULL OR lease_until < now())
          AND (next_attempt_at <= now() OR ($3 AND step_index = 0 AND attempts = 0))
        RETURNING order_id, status, step_index, pending_compensations, reason, attempts, deadline_at`,
      [orderId, String(LEASE_MS), options.justCreated === true, lease],
    );
    const row = result[0][0];
    return row ? { ...toState(row), lease } : undefined;
  }

  /**
   * Persists progress and extends the lease; `manager` lets the last step commit with its own changes. Only the run
   * whose claim is still on record saves: a run that paused past its lease while another took the saga over gets
   * SagaLeaseLostError and changes nothing (inside `manager`'s transaction, that transaction's changes roll back too).
   */
  async save(orderId: string, lease: string, state: SagaState, options: { delayMs?: number; error?: unknown; manager?: EntityManager } = {}): Promise<void> {
    const error = options.error instanceof Error ? options.error.message : options.error === undefined ? null : String(options.error);
    const result: [unknown[], number] = await (options.manager ?? this.dataSource.manager).query(
      `UPDATE saga_instances
          SET status = $2, step_index = $3, reason = $4, attempts = $5, pending_compensations = $9::int[],
              next_attempt_at = now() + ($6 || ' milliseconds')::interval,
              lease_until = CASE WHEN $6::int > 0 OR $2 = 'DONE' THEN NULL ELSE now() + ($7 || ' milliseconds')::interval END,
              last_error = $8, updated_at = now()
        WHERE order_id = $1 AND lease_owner = $10`,
      [orderId, state.status, state.stepIndex, state.reason, state.attempts, String(options.delayMs ?? 0), String(LEASE_MS), error, [...state.pendingCompensations], lease],
    );
    if (result[1] === 0) throw new SagaLeaseLostError(orderId);
  }

  async due(limit: number): Promise<string[]> {
    const rows: Array<{ order_id: string }> = await this.dataSource.query(
      `SELECT order_id FROM saga_instances
        WHERE status <> 'DONE' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())
        ORDER BY next_attempt_at LIMIT $1`,
      [limit],
    );
    return rows.map((row) => row.order_id);
  }
}

function toState(row: SagaRow): SagaState {
  return {
    status: row.status,
    stepIndex: row.step_index,
    pendingCompensations: row.pending_compensations,
    reason: row.reason,
    attempts: row.attempts,
    deadlineAt: row.deadline_at,
  };
}
