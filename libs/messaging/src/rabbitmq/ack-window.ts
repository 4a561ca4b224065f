import { type Channel, type Message } from 'amqplib';

/** What became of a delivery: done, so it may be acked, or handed back with a nack (requeued), so it must not be. */
type Settlement = 'ack' | 'nacked';

/**
 * Message queue acks (docs/patterns/06-message-queue.md), batched: the deliveries of one channel are acknowledged in
 * delivery-tag order with as few frames as possible. A delivery is settled once its work is done (its transaction
 * committed, or it was moved to the retry or dead-letter queue with a confirm); then one `ack(message, true)`
 * ("multiple") covers every delivery up to the first one still in progress. A delivery is never acked before its
 * own work is settled, so a crash still hands every unfinished task to another worker. Acks of one burst (a group
 * commit resolving hundreds of tasks) are coalesced into one frame: one per batch instead of one per task.
 */
export class AckWindow {
  /** Deliveries not yet covered by an ack, in delivery order, from `head` on (RabbitMQ numbers them 1, 2, 3, ...). */
  private outstanding: Message[] = [];
  private head = 0;
  private readonly settled = new Map<number, Settlement>();
  private scheduled = false;

  constructor(private readonly channel: Channel) {}

  /** Called for every delivery, in the order the channel delivered them. */
  track(message: Message): void {
    this.outstanding.push(message);
  }

  /** The delivery's work is durable (or moved elsewhere with a confirm): it may be acked. */
  ack(message: Message): void {
    this.settle(message, 'ack');
  }

  /** Hands the delivery back to the broker now (requeued); the window then steps over it without acking it. */
  requeue(message: Message): void {
    this.settle(message, 'nacked');
    this.channel.nack(message, false, true);
  }

  /** Deliveries waiting for an ack, settled or not. */
  size(): number {
    return this.outstanding.length - this.head;
  }

  /** Sends one multiple-ack for the settled deliveries at the head of the window; the rest wait for their turn. */
  flush(): void {
    let last: Message | undefined;
    while (this.head < this.outstanding.length) {
      const message = this.outstanding[this.head];
      const settlement = this.settled.get(message.fields.deliveryTag);
      if (settlement === undefined) break;
      this.settled.delete(message.fields.deliveryTag);
      this.head += 1;
      // A nacked delivery is no longer the channel's to ack: "multiple" skips it, but it must not be the tag named.
      if (settlement === 'ack') last = message;
    }
    if (this.head > 1_024 && this.head * 2 > this.outstanding.length) {
      this.outstanding = this.outstanding.slice(this.head);
      this.head = 0;
    }
    if (last) this.channel.ack(last, true);
  }

  private settle(message: Message, settlement: Settlement): void {
    this.settled.set(message.fields.deliveryTag, settlement);
    if (this.scheduled) return;
    this.scheduled = true;
    // After the current I/O callbacks: every task of a committed batch is settled by then, and shares one frame.
    setImmediate(() => {
      this.scheduled = false;
      try {
        this.flush();
      } catch {
        // The channel is closed: the broker requeues its unacked deliveries by itself; redelivery is harmless.
      }
    });
  }
}
