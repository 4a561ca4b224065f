/**
 * Publish-subscribe (docs/patterns/05-publish-subscribe.md): payment subscribes to users.events.v1 in its own
 * consumer group and opens the wallet of every user who registers, through the one entry point for opening
 * wallets (OpenWalletHandler) and the inbox, so a redelivered or duplicated message opens nothing twice.
 */
import { type OnModuleInit } from '@nestjs/common';
import { CONSUMER_GROUPS, type Envelope, TOPICS, USER_REGISTERED_V1 } from '@shop/contracts';
import { handleOnce, type KafkaConsumers } from '@shop/messaging';
import { parseOrThrow } from '@shop/platform';
import { type DataSource } from 'typeorm';
import { z } from 'zod';
import { type WalletTransactions } from '../../application/ports/wallet-transactions.port';
import { causedBy } from './command-context';

/** The fields used here; other fields of the event (added within v1) are ignored. */
const userRegistered = z.object({ userId: z.guid().transform((id) => id.toLowerCase()) });

export class UserRegisteredConsumer implements OnModuleInit {
  constructor(
    private readonly consumers: KafkaConsumers,
    private readonly dataSource: DataSource,
    private readonly wallets: WalletTransactions,
    /** PAYMENT_CONSUMER_GROUP_PREFIX: empty in a deployment, unique per spec. */
    private readonly groupPrefix: string,
  ) {}

  onModuleInit(): void {
    this.consumers.subscribe({
      groupId: `${this.groupPrefix}${CONSUMER_GROUPS.paymentWallets}`,
      topics: [TOPICS.users],
      handle: (message) => this.dispatch(message),
    });
  }

  async dispatch(message: Envelope): Promise<void> {
    switch (message.type) {
      case USER_REGISTERED_V1: {
        const { userId } = parseOrThrow(userRegistered, message.data, USER_REGISTERED_V1);
        await handleOnce(this.dataSource, CONSUMER_GROUPS.paymentWallets, message, async (transaction) => {
          await this.wallets.join(transaction).openWallet.execute({ userId, ...causedBy(message) });
        });
        return;
      }
      default:
        return;
    }
  }
}
