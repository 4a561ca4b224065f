import { context } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import { type FastifyInstance } from 'fastify';
import { withRequestId } from './trace-context';

/**
 * Per request, before any other hook: names the HTTP server span by its route (`POST /api/orders`, not a bare
 * `POST`) and puts the request id into the trace context's baggage, so every span and log line of the request, in
 * this process and downstream, carries it. `done` runs inside the new context, and with it the rest of the request.
 */
export function traceFastifyRequests(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    const active = context.active();
    const rpc = getRPCMetadata(active);
    const route = request.routeOptions.url;
    if (rpc?.type === RPCType.HTTP && route) rpc.route = route;
    context.with(withRequestId(active, request.id), () => done());
  });
}
