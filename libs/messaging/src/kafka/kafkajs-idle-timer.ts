/**
 * kafkajs 2.2.4 (its last release) re-arms a timer on every broker connection after each response, whether or not a
 * request is waiting: `throttledUntil - Date.now()` is negative when nothing is throttled, Node turns the negative
 * delay into 1 ms (the TimeoutNegativeWarning, tulios/kafkajs#1751), the timer fires, checks an empty queue and arms
 * itself again. Every idle connection so wakes its process about a thousand times a second.
 *
 * This arms the timer only when it has something to do: a request is waiting, or the broker asked for a throttle
 * that has not ended. Requests held back because too many are in flight are still sent when one completes, as
 * before (kafkajs checks the queue on every response).
 */
import { createRequire } from 'node:module';

interface RequestQueueInternals {
  pending: unknown[];
  throttledUntil: number;
  scheduleCheckPendingRequests(): void;
}

let applied = false;

export function armKafkajsTimersOnlyWhenNeeded(): void {
  if (applied) return;
  applied = true;
  const require = createRequire(__filename);
  const RequestQueue = require('kafkajs/src/network/requestQueue') as { prototype: RequestQueueInternals };
  const schedule = RequestQueue.prototype.scheduleCheckPendingRequests;
  RequestQueue.prototype.scheduleCheckPendingRequests = function (this: RequestQueueInternals): void {
    if (this.pending.length === 0 && this.throttledUntil <= Date.now()) return;
    schedule.call(this);
  };
}
