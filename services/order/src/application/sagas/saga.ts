/**
 * Saga pattern (docs/patterns/07-saga.md): a business transaction across services as a list of local steps, each
 * with a compensation that undoes it. This file is the small engine: it runs one step at a time and returns the next
 * state, which the runner persists before going on, so a killed process resumes exactly where it stopped.
 */

/** A step either did its work, or was refused for a business reason (which cancels the order). */
export type StepOutcome = { readonly kind: 'done' } | { readonly kind: 'refused'; readonly reason: string };

export interface SagaStep<C> {
  readonly name: string;
  /** Idempotent: the runner may repeat it after a crash or an uncertain failure. */
  readonly action: (context: C) => Promise<StepOutcome>;
  /** Idempotent, and safe to run even if the action never took effect (an uncertain call is compensated too). */
  readonly compensation?: (context: C) => Promise<void>;
  /** The cancellation reason when this step's dependency stays unavailable past the saga's deadline. */
  readonly unavailableReason: string;
}

export type SagaDefinition<C> = readonly SagaStep<C>[];

export interface SagaState {
  /** RUNNING: forward steps; COMPENSATING: undoing completed steps in reverse; DONE: finished. */
  readonly status: 'RUNNING' | 'COMPENSATING' | 'DONE';
  /** RUNNING: the next step to run. */
  readonly stepIndex: number;
  /** COMPENSATING: indexes of the steps still to undo; the last one is undone next. */
  readonly pendingCompensations: readonly number[];
  readonly reason: string | null;
  /** Consecutive uncertain failures of the current step, for backoff. */
  readonly attempts: number;
  readonly deadlineAt: Date;
}

export type SagaProgress =
  | { readonly next: 'continue'; readonly state: SagaState }
  | { readonly next: 'retry-later'; readonly state: SagaState; readonly delayMs: number; readonly error: unknown }
  | { readonly next: 'finished'; readonly state: SagaState; readonly outcome: 'completed' | 'compensated' };

export interface SagaTiming {
  readonly now: () => Date;
  /** Delay before retrying after the n-th consecutive uncertain failure. */
  readonly backoffMs: (attempts: number) => number;
}

export const defaultBackoff = (attempts: number): number => Math.min(200 * 2 ** Math.max(0, attempts - 1), 2_000);

/**
 * Runs one step of the saga from `state`. Forward: a refused step compensates the steps before it; a failed call
 * (the dependency is down or did not answer, so the outcome is uncertain) is retried with backoff until the
 * deadline, then that step is compensated too and the saga cancels with the step's unavailable reason.
 * Compensations are retried until they succeed: an undo never gives up.
 */
export async function advance<C>(definition: SagaDefinition<C>, state: SagaState, context: C, timing: SagaTiming): Promise<SagaProgress> {
  if (state.status === 'DONE') return { next: 'finished', state, outcome: state.reason ? 'compensated' : 'completed' };

  if (state.status === 'RUNNING') {
    if (state.stepIndex >= definition.length) {
      return { next: 'finished', state: { ...state, status: 'DONE', attempts: 0 }, outcome: 'completed' };
    }
    const step = definition[state.stepIndex];
    try {
      const outcome = await step.action(context);
      if (outcome.kind === 'done') {
        const next = { ...state, stepIndex: state.stepIndex + 1, attempts: 0 };
        // After the last step nothing is left to run: finished now, so no state between it and DONE is ever saved.
        return next.stepIndex >= definition.length ? { next: 'finished', state: { ...next, status: 'DONE' }, outcome: 'completed' } : { next: 'continue', state: next };
      }
      return { next: 'continue', state: compensating(definition, state, state.stepIndex, outcome.reason) };
    } catch (error) {
      const attempts = state.attempts + 1;
      if (timing.now() < state.deadlineAt) {
        return { next: 'retry-later', state: { ...state, attempts }, delayMs: timing.backoffMs(attempts), error };
      }
      // Past the deadline with an uncertain outcome: compensate this step as well as the ones before it.
      return { next: 'continue', state: compensating(definition, state, state.stepIndex + 1, step.unavailableReason) };
    }
  }

  const pending = state.pendingCompensations;
  if (pending.length === 0) {
    return { next: 'finished', state: { ...state, status: 'DONE', attempts: 0 }, outcome: 'compensated' };
  }
  const index = pending[pending.length - 1];
  try {
    await definition[index].compensation?.(context);
    const rest = { ...state, pendingCompensations: pending.slice(0, -1), attempts: 0 };
    // The last undo: finished now, as after the last forward step.
    return rest.pendingCompensations.length === 0 ? { next: 'finished', state: { ...rest, status: 'DONE' }, outcome: 'compensated' } : { next: 'continue', state: rest };
  } catch (error) {
    // Undo the other steps meanwhile (a refund waiting for payment must not hold the stock), then retry this one.
    const attempts = state.attempts + 1;
    const rotated = { ...state, pendingCompensations: [index, ...pending.slice(0, -1)], attempts };
    if (attempts < pending.length) return { next: 'continue', state: rotated };
    return { next: 'retry-later', state: rotated, delayMs: Math.max(timing.backoffMs(attempts - pending.length + 1), 500), error };
  }
}

/** Enters compensation for the first `completed` steps, in reverse order; steps without a compensation are skipped. */
function compensating<C>(definition: SagaDefinition<C>, state: SagaState, completed: number, reason: string): SagaState {
  const pendingCompensations = definition
    .slice(0, completed)
    .map((step, index) => (step.compensation ? index : -1))
    .filter((index) => index >= 0);
  return { ...state, status: 'COMPENSATING', reason, attempts: 0, pendingCompensations };
}
