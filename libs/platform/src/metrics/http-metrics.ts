import { type FastifyInstance } from 'fastify';
import { Histogram } from 'prom-client';

/** Request rate, errors and duration (RED) per route; `_count` by status gives rates and error ratios. */
export const httpServerDuration = new Histogram({
  name: 'shop_http_server_request_duration_seconds',
  help: 'HTTP requests served, by method, route (the pattern, e.g. /api/orders/:id) and status code',
  labelNames: ['method', 'route', 'status'],
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
});

/** Probes and scrapes are not traffic: they would drown the routes' rates. */
const UNMEASURED_ROUTES = new Set(['/health', '/health/ready', '/metrics']);

export function measureFastifyRequests(fastify: FastifyInstance): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    if (!UNMEASURED_ROUTES.has(route)) {
      httpServerDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    }
    done();
  });
}
