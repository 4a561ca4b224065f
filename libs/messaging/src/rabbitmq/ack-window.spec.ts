import { type Channel, type Message } from 'amqplib';
import { AckWindow } from './ack-window';

/** The two channel calls the window makes, recorded as frames (unit spec only: the broker is in the int-specs). */
function recordingChannel() {
  const frames: string[] = [];
  const channel = {
    ack: (message: Message, allUpTo?: boolean) => void frames.push(`ack ${message.fields.deliveryTag}${allUpTo ? ' multiple' : ''}`),
    nack: (message: Message, allUpTo?: boolean, requeue?: boolean) =>
      void frames.push(`nack ${message.fields.deliveryTag}${allUpTo ? ' multiple' : ''}${requeue ? ' requeue' : ''}`),
  } as unknown as Channel;
  return { channel, frames };
}

const delivery = (deliveryTag: number): Message => ({ fields: { deliveryTag } }) as Message;
const nextTick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function windowOf(count: number) {
  const { channel, frames } = recordingChannel();
  const window = new AckWindow(channel);
  const deliveries = Array.from({ length: count }, (_, i) => delivery(i + 1));
  deliveries.forEach((message) => window.track(message));
  return { window, frames, deliveries };
}

describe('ack window', () => {
  it('acks a burst of settled deliveries with one multiple ack naming the last one', async () => {
    const { window, frames, deliveries } = windowOf(500);
    deliveries.forEach((message) => window.ack(message));
    await nextTick();
    expect(frames).toEqual(['ack 500 multiple']);
    expect(window.size()).toBe(0);
  });

  it('acks nothing past a delivery still in progress, then covers it and the ones after it with one frame', async () => {
    const { window, frames, deliveries } = windowOf(6);
    [1, 2, 4, 5, 6].forEach((tag) => window.ack(deliveries[tag - 1]));
    await nextTick();
    expect(frames).toEqual(['ack 2 multiple']);
    expect(window.size()).toBe(4);
    window.ack(deliveries[2]);
    await nextTick();
    expect(frames).toEqual(['ack 2 multiple', 'ack 6 multiple']);
    expect(window.size()).toBe(0);
  });

  it('acks nothing while the first delivery is in progress, however many after it are done', async () => {
    const { window, frames, deliveries } = windowOf(100);
    deliveries.slice(1).forEach((message) => window.ack(message));
    await nextTick();
    expect(frames).toEqual([]);
  });

  it('nacks a requeued delivery at once and never names it in a multiple ack', async () => {
    const { window, frames, deliveries } = windowOf(4);
    window.ack(deliveries[0]);
    window.ack(deliveries[1]);
    window.requeue(deliveries[2]);
    await nextTick();
    expect(frames).toEqual(['nack 3 requeue', 'ack 2 multiple']);
    window.ack(deliveries[3]);
    await nextTick();
    expect(frames).toEqual(['nack 3 requeue', 'ack 2 multiple', 'ack 4 multiple']);
  });

  it('sends no ack when every settled delivery at the head was requeued', async () => {
    const { window, frames, deliveries } = windowOf(2);
    window.requeue(deliveries[0]);
    window.requeue(deliveries[1]);
    await nextTick();
    expect(frames).toEqual(['nack 1 requeue', 'nack 2 requeue']);
    expect(window.size()).toBe(0);
  });

  it('flushes on demand, as the consumer does before it closes its channel', () => {
    const { window, frames, deliveries } = windowOf(3);
    deliveries.forEach((message) => window.ack(message));
    window.flush();
    expect(frames).toEqual(['ack 3 multiple']);
  });

  it('keeps working across many bursts (the window compacts what it has acked)', async () => {
    const { channel, frames } = recordingChannel();
    const window = new AckWindow(channel);
    for (let burst = 0; burst < 10; burst++) {
      const deliveries = Array.from({ length: 300 }, (_, i) => delivery(burst * 300 + i + 1));
      deliveries.forEach((message) => window.track(message));
      deliveries.forEach((message) => window.ack(message));
      await nextTick();
    }
    expect(frames).toHaveLength(10);
    expect(frames.at(-1)).toBe('ack 3000 multiple');
    expect(window.size()).toBe(0);
  });
});
