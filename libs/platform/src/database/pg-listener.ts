import { Client } from 'pg';
import { within } from '../within';

export interface PgListenerOptions {
  /** postgres:// URL of the database to listen on. */
  readonly url: string;
  /** Channel named in `NOTIFY <channel>` / `pg_notify('<channel>', ...)`; a plain identifier. */
  readonly channel: string;
  /** Shown in pg_stat_activity. */
  readonly applicationName: string;
  /** Called with the payload of every notification on the channel. */
  readonly onNotification: (payload: string) => void;
  /**
   * Called when the listener starts or stops hearing notifications: `true` once LISTEN succeeded, `false` when the
   * connection drops. Whatever was missed while it was down is gone, so a user treats `true` as "start afresh".
   */
  readonly onListening?: (listening: boolean) => void;
  /** Wait before reconnecting after a drop. */
  readonly reconnectDelayMs?: number;
  /** How often the connection is checked with a `SELECT 1` (10 s by default). */
  readonly heartbeatIntervalMs?: number;
  /** How long that check may take before the connection is taken for dead and replaced (5 s by default). */
  readonly heartbeatTimeoutMs?: number;
}

/**
 * A dedicated PostgreSQL connection that LISTENs on one channel and reconnects when it drops. Notifications are
 * delivered only after the notifying transaction commits, so a listener never hears of a change it cannot read.
 *
 * A listening connection only reads, so a connection that died without a word (the server's host gone, a fail-over
 * that moved the address, a NAT that forgot the flow) would look alive for ever, and its user would go on trusting a
 * stream of notifications that no longer comes. So the connection is checked with a `SELECT 1` every heartbeat and
 * replaced when the check fails or takes too long, and TCP keepalive is on as well.
 */
export class PgListener {
  private running = false;
  private client: Client | undefined;
  private listening: Client | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: PgListenerOptions) {
    if (!/^[a-z_][a-z0-9_]*$/.test(options.channel)) throw new Error(`PgListener: "${options.channel}" is not a plain channel name`);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.client?.end().catch(() => undefined);
    await this.loop;
  }

  /**
   * Runs a statement on the listening connection, for state that must live exactly as long as it (a session-level
   * advisory lock is released the moment the connection drops). Undefined while not connected.
   */
  async query<Row extends Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<Row[] | undefined> {
    const client = this.listening;
    if (!client) return undefined;
    try {
      return (await client.query<Row>(sql, [...params])).rows;
    } catch {
      return undefined;
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      const client = new Client({
        connectionString: this.options.url,
        connectionTimeoutMillis: 5_000,
        application_name: this.options.applicationName,
        keepAlive: true,
        keepAliveInitialDelayMillis: 10_000,
      });
      this.client = client;
      let dead: () => void = () => undefined;
      const closed = new Promise<void>((resolve) => {
        dead = resolve;
        client.on('error', () => resolve());
        client.on('end', () => resolve());
      });
      let heartbeat: NodeJS.Timeout | undefined;
      try {
        await client.connect();
        client.on('notification', (message) => {
          if (message.channel === this.options.channel) this.options.onNotification(message.payload ?? '');
        });
        await client.query(`LISTEN ${this.options.channel}`);
        this.listening = client;
        this.options.onListening?.(true);
        const timeoutMs = this.options.heartbeatTimeoutMs ?? 5_000;
        heartbeat = setInterval(() => {
          within(client.query('SELECT 1'), timeoutMs, 'listener connection did not answer').catch(() => dead());
        }, this.options.heartbeatIntervalMs ?? 10_000);
        await closed;
        this.options.onListening?.(false);
      } catch {
        // Connection refused or dropped during LISTEN: try again after the delay.
      } finally {
        clearInterval(heartbeat);
        this.client = undefined;
        this.listening = undefined;
        // A dead connection may never answer the goodbye either.
        await within(client.end(), 2_000, 'listener connection did not close').catch(() => undefined);
      }
      if (this.running) await new Promise((resolve) => setTimeout(resolve, this.options.reconnectDelayMs ?? 1_000));
    }
  }
}
