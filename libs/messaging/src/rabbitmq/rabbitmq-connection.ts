import { connect, type ChannelModel } from 'amqplib';

/**
 * One AMQP connection per process, reconnected with backoff when it drops. `current()` is the live
 * connection or undefined, so readiness reports the real state instead of start-up success.
 */
export class RabbitMqConnection {
  private connection: ChannelModel | undefined;
  private connecting: Promise<ChannelModel> | undefined;
  private closed = false;
  private readonly listeners = new Set<(connection: ChannelModel) => void | Promise<void>>();

  constructor(
    private readonly url: string,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  current(): ChannelModel | undefined {
    return this.connection;
  }

  /** Called with every new connection: consumers and publishers open their channels here. */
  onConnect(listener: (connection: ChannelModel) => void | Promise<void>): void {
    this.listeners.add(listener);
    if (this.connection) void listener(this.connection);
  }

  async connect(): Promise<ChannelModel> {
    if (this.connection) return this.connection;
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  /** Connects in the background, retrying with backoff until it succeeds or close() is called. */
  start(): void {
    void this.connectWithRetry();
  }

  async close(): Promise<void> {
    this.closed = true;
    const connection = this.connection;
    this.connection = undefined;
    if (connection) await connection.close().catch(() => undefined);
  }

  private async open(): Promise<ChannelModel> {
    const connection = await connect(this.url, { timeout: 5_000 });
    connection.on('error', (error: unknown) => this.onError(error));
    connection.on('close', () => {
      if (this.connection === connection) this.connection = undefined;
      if (!this.closed) void this.connectWithRetry();
    });
    this.connection = connection;
    for (const listener of this.listeners) await listener(connection);
    return connection;
  }

  private async connectWithRetry(): Promise<void> {
    let delay = 250;
    while (!this.closed && !this.connection) {
      try {
        await this.connect();
      } catch (error) {
        this.onError(error);
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, 5_000);
      }
    }
  }
}
