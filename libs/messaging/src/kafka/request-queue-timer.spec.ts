import { correctKafkajsRequestQueueTimer, kafkajsRequestQueue } from './request-queue-timer';

interface QueueState {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
  checkPendingRequests: jest.Mock;
}

const queue = (pending: number, throttledUntil = -1): QueueState => ({
  pending: Array.from({ length: pending }, () => ({})),
  throttledUntil,
  throttleCheckTimeoutId: null,
  checkPendingRequests: jest.fn(),
});

describe("kafkajs request queue's check timer", () => {
  const { prototype } = kafkajsRequestQueue();
  const schedule = (state: QueueState): void => prototype.scheduleCheckPendingRequests.call(state);

  beforeAll(() => correctKafkajsRequestQueueTimer());
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('arms no timer when nothing is pending and the broker never throttled (kafkajs armed a 1 ms one)', () => {
    const state = queue(0);
    schedule(state);
    expect(state.throttleCheckTimeoutId).toBeNull();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('checks pending requests when the throttle ends', () => {
    const state = queue(2, Date.now() + 250);
    schedule(state);
    jest.advanceTimersByTime(249);
    expect(state.checkPendingRequests).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(state.checkPendingRequests).toHaveBeenCalledTimes(1);
    expect(state.throttleCheckTimeoutId).toBeNull();
  });

  it('checks requests pending behind the in-flight limit every 10 ms, with one timer at a time', () => {
    const state = queue(1);
    schedule(state);
    schedule(state);
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(10);
    expect(state.checkPendingRequests).toHaveBeenCalledTimes(1);
  });

  it('is applied once, however many clients are created', () => {
    const corrected = prototype.scheduleCheckPendingRequests;
    correctKafkajsRequestQueueTimer();
    expect(prototype.scheduleCheckPendingRequests).toBe(corrected);
  });
});
