import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CREATE_SHIPMENT_V1, type CreateShipmentV1Data, type Envelope } from '@shop/contracts';
import { envelope, RabbitMqPublisher, type RabbitMqConnection, type WorkQueueTopology } from '@shop/messaging';
import { eventually } from '@shop/testing';

const ROOT = resolve(__dirname, '../../..');
const ENTRY = {
  app: { file: resolve(ROOT, 'services/shipping/dist/main.js'), portVariable: 'SHIPPING_HTTP_PORT' },
  worker: { file: resolve(ROOT, 'services/shipping/dist/worker.js'), portVariable: 'SHIPPING_WORKER_HTTP_PORT' },
} as const;

function newestMtime(dir: string, include: (file: string) => boolean): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path, include));
    else if (include(path)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * The integration specs run the built app and workers as separate processes, so the build must be current: fails,
 * naming the command, when a source of shipping or of a library it uses is newer than that project's build.
 */
export function assertWorkerBuilt(): void {
  const isSource = (file: string): boolean => file.endsWith('.ts') && !file.endsWith('.spec.ts') && !file.endsWith('.int-spec.ts');
  const stale = ['services/shipping', 'libs/platform', 'libs/messaging', 'libs/contracts'].filter((project) => {
    const sources = newestMtime(resolve(ROOT, project, 'src'), isSource);
    let built = 0;
    try {
      built = newestMtime(resolve(ROOT, project, 'dist'), () => true);
    } catch {
      built = 0;
    }
    return built < sources;
  });
  let entriesBuilt = true;
  try {
    for (const entry of Object.values(ENTRY)) statSync(entry.file);
  } catch {
    entriesBuilt = false;
  }
  if (stale.length > 0 || !entriesBuilt) {
    throw new Error(`The build of ${stale.join(', ') || 'services/shipping'} is missing or older than its sources: build first with \`npx tsc -b services/shipping\``);
  }
}

export interface ShippingProcess {
  readonly name: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** The process's last lines of output, for failure messages. */
  output(): string;
  /** Prometheus text of the process's /metrics. */
  metrics(): Promise<string>;
  /** SIGTERM and wait for the graceful exit. */
  stop(): Promise<void>;
  /** SIGKILL: no shutdown hooks, unacked tasks go back to the queue. */
  kill(): Promise<void>;
}

/** A shipping worker process (`node services/shipping/dist/worker.js`). */
export type WorkerProcess = ShippingProcess;

/** Spawns `node services/shipping/dist/worker.js` with `env` and waits until its /health/ready answers 200. */
export function startWorker(name: string, port: number, env: Record<string, string>): Promise<WorkerProcess> {
  return startShippingProcess('worker', name, port, env);
}

/**
 * Spawns the shipping app (`dist/main.js`) or a worker (`dist/worker.js`) with `env`, its HTTP port set to `port`,
 * and waits until its /health/ready answers 200 (database, brokers, consumer group or work queue all up).
 */
export async function startShippingProcess(kind: keyof typeof ENTRY, name: string, port: number, env: Record<string, string>): Promise<ShippingProcess> {
  const lines: string[] = [];
  const child = spawn(process.execPath, [ENTRY[kind].file], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env, [ENTRY[kind].portVariable]: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer): void => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - 40));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  const waitForExit = async (timeoutMs: number): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  };
  const started: ShippingProcess = {
    name,
    port,
    child,
    output: () => lines.join('\n'),
    metrics: async () => (await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5_000) })).text(),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await waitForExit(15_000);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await waitForExit(5_000);
      }
    },
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await waitForExit(5_000);
    },
  };
  try {
    await eventually(
      `${kind} ${name} ready on port ${port}`,
      async () => {
        if (child.exitCode !== null) throw new Error(`${kind} exited with ${child.exitCode}`);
        const response = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(3_000) });
        return response.status === 200 ? true : undefined;
      },
      45_000,
      200,
    );
  } catch (error) {
    await started.kill();
    throw new Error(`${(error as Error).message}\n--- ${kind} ${name} output ---\n${started.output()}`);
  }
  return started;
}

/** Sum of a counter's samples whose labels include every one of `labels`. */
export function metricSum(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = /\{(.*)\}/.exec(line)?.[1] ?? '';
    if (Object.entries(labels).every(([key, value]) => labelText.includes(`${key}="${value}"`))) sum += Number(line.split(' ').pop());
  }
  return sum;
}

/** A fresh prefix for the spec's own exchanges and queues. */
export const specPrefix = (name: string): string => `spec-${name}-${randomUUID().slice(0, 8)}.`;

export function createShipmentTask(data: CreateShipmentV1Data | Record<string, unknown>, correlationId = randomUUID()): Envelope {
  return envelope(CREATE_SHIPMENT_V1, data, { correlationId });
}

export function orderData(orderId = randomUUID()): CreateShipmentV1Data {
  return {
    orderId,
    userId: randomUUID(),
    items: [
      { productId: randomUUID(), quantity: 2, unitPriceCents: 1_250 },
      { productId: randomUUID(), quantity: 1, unitPriceCents: 899 },
    ],
  };
}

/** Publishes tasks straight to the work queue's exchange with publisher confirms (as the outbox relay does). */
export async function publishTasks(connection: RabbitMqConnection, topology: WorkQueueTopology, tasks: readonly Envelope[]): Promise<void> {
  await new RabbitMqPublisher(connection).publish(
    tasks.map((task) => ({
      exchange: topology.exchange,
      routingKey: topology.routingKey,
      messageId: task.id,
      type: task.type,
      body: JSON.stringify(task),
      headers: {},
    })),
  );
}

/** Ready messages in each queue of the topology. */
export async function queueDepths(connection: RabbitMqConnection, topology: WorkQueueTopology): Promise<{ queue: number; retry: number; dead: number }> {
  const channel = await (await connection.connect()).createChannel();
  try {
    const [queue, retry, dead] = await Promise.all(
      [topology.queue, topology.retryQueue, topology.deadLetterQueue].map(async (name) => (await channel.checkQueue(name)).messageCount),
    );
    return { queue, retry, dead };
  } finally {
    await channel.close().catch(() => undefined);
  }
}

/** Deletes the spec's exchanges and queues. */
export async function deleteTopology(connection: RabbitMqConnection, topology: WorkQueueTopology): Promise<void> {
  const channel = await (await connection.connect()).createChannel();
  try {
    for (const queue of [topology.queue, topology.retryQueue, topology.deadLetterQueue]) await channel.deleteQueue(queue);
    for (const exchange of [topology.exchange, topology.retryExchange]) await channel.deleteExchange(exchange);
  } finally {
    await channel.close().catch(() => undefined);
  }
}
