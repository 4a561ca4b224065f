import { Injectable } from '@nestjs/common';
import { within } from '../within';

export interface CheckResult {
  readonly status: 'up' | 'down';
  readonly error?: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** A readiness check resolves (optionally with details) when its dependency really answers, and throws otherwise. */
export type ReadinessCheck = () => Promise<Readonly<Record<string, unknown>> | void>;

const CHECK_TIMEOUT_MS = 2_000;

/**
 * Each adapter that owns a connection (database, Kafka, RabbitMQ, a breaker) registers a check here;
 * `GET /health/ready` runs them all. Readiness reflects the real connection state, not start-up success.
 */
@Injectable()
export class HealthRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();
  private shuttingDown = false;

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  async readiness(): Promise<{ ready: boolean; checks: Record<string, CheckResult> }> {
    const entries = await Promise.all(
      [...this.checks.entries()].map(async ([name, check]) => [name, await runCheck(check)] as const),
    );
    const checks = Object.fromEntries(entries);
    const ready = !this.shuttingDown && entries.every(([, result]) => result.status === 'up');
    return { ready, checks };
  }
}

async function runCheck(check: ReadinessCheck): Promise<CheckResult> {
  try {
    const details = await within(check(), CHECK_TIMEOUT_MS, `no answer within ${CHECK_TIMEOUT_MS} ms`);
    return details ? { status: 'up', details } : { status: 'up' };
  } catch (error) {
    return { status: 'down', error: error instanceof Error ? error.message : String(error) };
  }
}
