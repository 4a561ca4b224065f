/**
 * Event sourcing: a wallet is loaded by reading its stream and folding it through the aggregate, and saved by
 * appending only the events the aggregate decided, at the version it was loaded at (optimistic concurrency).
 * See docs/patterns/04-event-sourcing.md.
 */
import { Wallet } from '../domain/wallet';
import { decodeWalletEvent, WALLET_EVENT_SCHEMA_VERSION, type WalletEvent, walletStreamId } from '../domain/wallet-events';
import { type CommandContext, type EventStore, type RecordedEvent } from './ports/event-store.port';

export class WalletStore {
  constructor(private readonly events: EventStore) {}

  /** The wallet as of now, or as of `until` (a temporal query: only events that occurred by then are folded). */
  async load(userId: string, until?: Date): Promise<Wallet> {
    const history = await this.events.readStream(walletStreamId(userId), until ? { until } : {});
    return Wallet.fromHistory(userId, history.map(toWalletEvent));
  }

  /** A page of the stream's stored events, oldest first: at most `limit` after `afterVersion`, and whether more follow. */
  async history(userId: string, page: { readonly afterVersion: number; readonly limit: number }): Promise<{ events: RecordedEvent[]; more: boolean }> {
    const events = await this.events.readStream(walletStreamId(userId), { afterVersion: page.afterVersion, limit: page.limit + 1 });
    return { events: events.slice(0, page.limit), more: events.length > page.limit };
  }

  /** Appends what the wallet decided since it was loaded; nothing to append is a no-op. Throws ConcurrencyError. */
  async save(wallet: Wallet, context: CommandContext): Promise<void> {
    if (wallet.pendingEvents.length === 0) return;
    await this.events.append({
      streamId: walletStreamId(wallet.userId),
      expectedVersion: wallet.expectedVersion,
      events: wallet.pendingEvents.map((event) => ({ type: event.type, schemaVersion: WALLET_EVENT_SCHEMA_VERSION, data: event.data })),
      ...context,
    });
  }
}

function toWalletEvent(recorded: RecordedEvent): WalletEvent {
  return decodeWalletEvent(recorded.type, recorded.schemaVersion, recorded.data);
}
