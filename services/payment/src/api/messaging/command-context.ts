import { type Envelope } from '@shop/contracts';
import { z } from 'zod';
import { type CommandContext } from '../../application/ports/event-store.port';

const uuid = z.guid();

/**
 * What the commands a message causes record on their events: the message's correlation id (kept only when it
 * is a UUID, as the event store stores them) and the message itself as the cause.
 */
export function causedBy(message: Pick<Envelope, 'id' | 'correlationId'>): CommandContext {
  const correlationId = uuid.safeParse(message.correlationId).success ? message.correlationId.toLowerCase() : undefined;
  return { ...(correlationId ? { correlationId } : {}), causationId: message.id.toLowerCase() };
}
