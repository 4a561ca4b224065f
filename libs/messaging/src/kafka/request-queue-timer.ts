/**
 * A correction to kafkajs 2.2.4 (the last release), applied once by createKafka.
 *
 * Each broker connection has a request queue whose `scheduleCheckPendingRequests` arms a timer after every response,
 * at `throttledUntil - Date.now()` milliseconds. When the broker has never throttled the client, `throttledUntil`
 * is -1, the delay is a large negative number, Node runs the timer after 1 ms (Node 24 also prints a
 * TimeoutNegativeWarning, tulios/kafkajs#1751), and the timer's callback arms the next one: every connection of every
 * client wakes its process about a thousand times a second, forever, whether or not anything is pending. Measured here,
 * an idle app spent about 5% of a core on it, a tenth of the machine for the whole shop.
 *
 * The corrected method arms a timer only when there is something to wait for: requests pending while the broker
 * throttles us (until the throttle ends), or requests pending behind the in-flight limit (every 10 ms, as kafkajs
 * does; a response also releases them). With nothing pending, a new request is sent at once or, if it has to wait,
 * arms the timer itself when it is queued.
 */
import { createRequire } from 'node:module';

/** The fields of kafkajs's RequestQueue that the scheduling reads and writes. */
interface RequestQueueState {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

interface RequestQueueClass {
  prototype: RequestQueueState & { [CORRECTED]?: true };
}

const CORRECTED = Symbol.for('shop.kafkajs.request-queue-timer');
/** kafkajs's own interval for requests pending behind the in-flight limit. */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;
const PATCHED_VERSION = '2.2.4';

function scheduleCheckPendingRequests(this: RequestQueueState): void {
  if (this.throttleCheckTimeoutId || this.pending.length === 0) return;
  const throttledForMs = this.throttledUntil - Date.now();
  this.throttleCheckTimeoutId = setTimeout(
    () => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    },
    throttledForMs > 0 ? throttledForMs : CHECK_PENDING_REQUESTS_INTERVAL_MS,
  );
}

/** The request queue class of the kafkajs that `kafkajs` resolves to here. */
export function kafkajsRequestQueue(): RequestQueueClass {
  const require = createRequire(__filename);
  return require(require.resolve('kafkajs/src/network/requestQueue/index.js')) as RequestQueueClass;
}

/**
 * Replaces the method on kafkajs's RequestQueue prototype; safe to call more than once. Refuses another kafkajs
 * version, whose queue may differ: the correction must then be checked again (and may be unnecessary).
 */
export function correctKafkajsRequestQueueTimer(): void {
  const require = createRequire(__filename);
  const { version } = require('kafkajs/package.json') as { version: string };
  if (version !== PATCHED_VERSION) {
    throw new Error(`libs/messaging corrects kafkajs ${PATCHED_VERSION}'s request queue timer, but kafkajs ${version} is installed: check request-queue-timer.ts`);
  }
  const { prototype } = kafkajsRequestQueue();
  if (prototype[CORRECTED]) return;
  if (typeof prototype.scheduleCheckPendingRequests !== 'function') throw new Error('kafkajs RequestQueue has no scheduleCheckPendingRequests');
  prototype.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
  prototype[CORRECTED] = true;
}
