import { connect, type ChannelModel } from 'amqplib';

type ConnectListener = (connection: ChannelModel) => void | Promise<void>;

/**
 * One AMQP connection per process, reconnected with backoff when it drops. `current()` is the live
 * connection or undefined, so readiness reports the real state instead of start-up success.
 */
export class RabbitMqConnection {
  private connection: ChannelModel | undefined;
  private connecting: Promise<ChannelModel> | undefined;
  private closed = false;
  private readonly listeners = new Set<ConnectListener>();

  constructor(
    private readonly url: string,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  current(): ChannelModel | undefined {
    return this.connection;
  }

  /**
   * Called with every new connection: consumers and publishers open their channels here. A listener that fails (a
   * queue declared with other arguments, a channel closed during set-up) is reported and called again with backoff
   * while that connection lasts; it never keeps the other listeners from running.
   */
  onConnect(listener: ConnectListener): void {
    this.listeners.add(listener);
    if (this.connection) void this.notify(listener, this.connection);
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
    for (const listener of this.listeners) await this.notify(listener, connection);
    return connection;
  }

  /** Runs a listener on `connection`; when it fails, reports it and runs it again with backoff in the background. */
  private async notify(listener: ConnectListener, connection: ChannelModel): Promise<void> {
    try {
      await listener(connection);
    } catch (error) {
      this.onError(error);
      void this.retryLater(listener, connection);
    }
  }

  private async retryLater(listener: ConnectListener, connection: ChannelModel): Promise<void> {
    for (let delay = 250; !this.closed && this.connection === connection; delay = Math.min(delay * 2, 5_000)) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (this.closed || this.connection !== connection) return;
      try {
        await listener(connection);
        return;
      } catch (error) {
        this.onError(error);
      }
    }
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
