import { createRequire } from 'node:module';
import { armKafkajsTimersOnlyWhenNeeded } from './kafkajs-idle-timer';

interface RequestQueue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  destroy(): void;
}

const RequestQueueClass = createRequire(__filename)('kafkajs/src/network/requestQueue') as new (options: object) => RequestQueue;
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const queues: RequestQueue[] = [];

/** A broker connection's request queue, as kafkajs makes one, with nothing in flight. */
function idleQueue(): RequestQueue {
  const queue = new RequestQueueClass({ maxInFlightRequests: null, requestTimeout: 30_000, enforceRequestTimeout: false, clientId: 'spec', broker: 'spec:9092', logger: quiet });
  queues.push(queue);
  return queue;
}

afterAll(() => queues.forEach((queue) => queue.destroy()));

// kafkajs checks its queue after every response; these specs make that call on a queue with nothing waiting.
describe('kafkajs request queue timers', () => {
  it('kafkajs 2.2.4 alone arms a timer with nothing to do (if this fails, kafkajs fixed it: drop the patch)', () => {
    const queue = idleQueue();
    queue.checkPendingRequests();
    expect(queue.throttleCheckTimeoutId).not.toBeNull();
  });

  describe('once patched', () => {
    beforeAll(() => armKafkajsTimersOnlyWhenNeeded());

    it('arms no timer when no request waits and no throttle is in force', () => {
      const queue = idleQueue();
      queue.checkPendingRequests();
      expect(queue.throttleCheckTimeoutId).toBeNull();
    });

    it('still arms one for a request that waits out a broker throttle', () => {
      const queue = idleQueue();
      queue.throttledUntil = Date.now() + 60_000;
      queue.pending.push({});
      queue.checkPendingRequests();
      expect(queue.throttleCheckTimeoutId).not.toBeNull();
      expect(queue.pending).toHaveLength(1);
    });

    it('arms one for the end of a throttle even with nothing waiting yet', () => {
      const queue = idleQueue();
      queue.throttledUntil = Date.now() + 60_000;
      queue.checkPendingRequests();
      expect(queue.throttleCheckTimeoutId).not.toBeNull();
    });

    it('is applied once however many clients are made', () => {
      armKafkajsTimersOnlyWhenNeeded();
      const queue = idleQueue();
      queue.checkPendingRequests();
      expect(queue.throttleCheckTimeoutId).toBeNull();
    });
  });
});
