import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CBaggagePropagator } from '@opentelemetry/core';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { inSpan, withRequestId } from '../telemetry/trace-context';
import { createLogger } from './logger';

const provider = new TracerProvider();

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CBaggagePropagator());
  trace.setGlobalTracerProvider(provider);
});

afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  propagation.disable();
  context.disable();
});

/** A logger writing into an array, one parsed JSON object per line. */
function capture(): { logger: ReturnType<typeof createLogger>; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger('order', 'info', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

describe('the JSON logger', () => {
  it('writes the service on every line, and no trace fields outside a trace', () => {
    const { logger, lines } = capture();
    logger.info('started');
    expect(lines[0]).toEqual(expect.objectContaining({ service: 'order', level: 'info', msg: 'started' }));
    expect(lines[0]).not.toHaveProperty('trace_id');
  });

  it('adds the trace id, span id and request id of the active context', async () => {
    const { logger, lines } = capture();
    const ids = await inSpan('handle', { parent: withRequestId(context.active(), 'req-9') }, async (span) => {
      logger.info('inside');
      return span.spanContext();
    });
    expect(lines[0]).toEqual(expect.objectContaining({ trace_id: ids.traceId, span_id: ids.spanId, reqId: 'req-9' }));
  });

  it('keeps a request id given explicitly on the line', async () => {
    const { logger, lines } = capture();
    await inSpan('handle', { parent: withRequestId(context.active(), 'from-context') }, async () => logger.info({ reqId: 'explicit' }, 'access'));
    expect(lines[0].reqId).toBe('explicit');
  });

  it('redacts passwords, tokens, keys and authentication headers, nested too', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        password: 'p1',
        body: { password: 'p2', accessToken: 't1', email: 'alice@example.com' },
        req: { headers: { authorization: 'Bearer t2', cookie: 'session=s', 'content-type': 'application/json' } },
        config: { USER_JWT_PRIVATE_KEY: 'pem', jwtPrivateKey: 'key' },
      },
      'request',
    );
    const line = JSON.stringify(lines[0]);
    for (const secret of ['p1', 'p2', 't1', 'Bearer t2', 'session=s', 'pem', '"key"']) expect(line).not.toContain(secret);
    expect(lines[0]).toEqual(
      expect.objectContaining({
        password: '[redacted]',
        body: { password: '[redacted]', accessToken: '[redacted]', email: 'alice@example.com' },
        req: { headers: { authorization: '[redacted]', cookie: '[redacted]', 'content-type': 'application/json' } },
      }),
    );
  });

  it('redacts inside arrays and interpolated objects, never changes the logged objects, and keeps an error an error', () => {
    const { logger, lines } = capture();
    const items = [{ token: 't3', sku: 'SKU-1' }];
    const error = Object.assign(new Error('login failed'), { password: 'p3' });
    logger.info({ items, err: error }, 'request');
    logger.info('values %j', { apiKey: 'k1', id: 7 });
    expect(lines[0].items).toEqual([{ token: '[redacted]', sku: 'SKU-1' }]);
    expect(lines[0].err).toEqual(
      expect.objectContaining({ type: 'Error', message: 'login failed', password: '[redacted]', stack: expect.stringContaining('login failed') }),
    );
    expect(lines[1].msg).toBe('values {"apiKey":"[redacted]","id":7}');
    expect(items[0].token).toBe('t3');
    expect(error.password).toBe('p3');
  });

  it('leaves secrets deeper than two levels below the top as they are, like the redaction paths it replaces', () => {
    const { logger, lines } = capture();
    logger.info({ a: { b: { c: { password: 'deep' } } } }, 'deep');
    expect(lines[0].a).toEqual({ b: { c: { password: 'deep' } } });
  });
});
