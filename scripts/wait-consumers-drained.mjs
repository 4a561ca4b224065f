// Waits until every consumer group of the running system has caught up with its topics (lag 0), or fails after
// WAIT_DRAINED_TIMEOUT_MS. The integration specs publish to the shared topics while no system runs; a system started
// afterwards first works through those events (some of them deliberately poison, retried before dead-lettering), and
// an end-to-end spec's first order would otherwise queue behind them and meet its saga deadline.
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AssignerProtocol, Kafka, logLevel } from 'kafkajs';

const ROOT = resolve(import.meta.dirname, '..');
const { CONSUMER_GROUPS } = createRequire(import.meta.url)(resolve(ROOT, 'libs/contracts/dist/index.js'));
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const timeoutMs = Number(process.env.WAIT_DRAINED_TIMEOUT_MS ?? 300_000);
const groupIds = Object.values(CONSUMER_GROUPS);

const admin = new Kafka({ clientId: 'wait-drained', brokers, logLevel: logLevel.NOTHING }).admin();

/**
 * What each group still has to read. The topics come from the members' assignments, not from the committed offsets:
 * a group busy with its first (poison) message on a fresh broker has committed nothing yet, and would look idle.
 * A group that is not yet Stable with members (still joining, or rebalancing) counts as behind.
 */
async function lagByGroup() {
  const behind = {};
  const endsOf = new Map(); // topic → its partitions' offsets, fetched once per round however many groups read it
  const { groups } = await admin.describeGroups(groupIds);
  for (const group of groups) {
    if (group.state !== 'Stable' || group.members.length === 0) {
      behind[group.groupId] = group.state;
      continue;
    }
    const topics = new Set();
    for (const member of group.members) {
      const { assignment } = AssignerProtocol.MemberAssignment.decode(member.memberAssignment) ?? { assignment: {} };
      for (const topic of Object.keys(assignment)) topics.add(topic);
    }
    for (const { topic, partitions } of await admin.fetchOffsets({ groupId: group.groupId, topics: [...topics] })) {
      if (!endsOf.has(topic)) endsOf.set(topic, await admin.fetchTopicOffsets(topic));
      const ends = endsOf.get(topic);
      for (const { partition, offset } of partitions) {
        const end = ends.find((e) => e.partition === partition);
        if (!end) continue;
        // The shop's consumers start from the beginning: no committed offset means the whole log is still to read.
        const committed = Number(offset) < 0 ? Number(end.low) : Math.max(Number(offset), Number(end.low));
        const lag = Number(end.high) - committed;
        if (lag > 0) behind[group.groupId] = (behind[group.groupId] ?? 0) + lag;
      }
    }
  }
  return behind;
}

await admin.connect();
const started = Date.now();
let lastReport = 0;
try {
  for (;;) {
    const behind = await lagByGroup();
    if (Object.keys(behind).length === 0) {
      console.log(`consumer groups caught up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      break;
    }
    if (Date.now() - started > timeoutMs) throw new Error(`consumer groups still behind after ${timeoutMs} ms: ${JSON.stringify(behind)}`);
    if (Date.now() - lastReport > 10_000) {
      console.log(`waiting for consumer groups to catch up (messages behind, or the group's state): ${JSON.stringify(behind)}`);
      lastReport = Date.now();
    }
    await sleep(500);
  }
} finally {
  await admin.disconnect();
}
