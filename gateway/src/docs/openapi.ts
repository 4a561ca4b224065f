/**
 * API gateway pattern (docs/patterns/01-api-gateway.md): the public API's OpenAPI document is generated
 * from the routes as declared (GatewayRoutes turns their zod schemas into JSON Schema), so the docs cannot
 * drift from the validation. Served at /docs (Swagger UI) and /docs/json.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { type FastifyInstance } from 'fastify';

/** Must run before the routes are added: @fastify/swagger collects routes as they are registered. */
export async function registerOpenApi(fastify: FastifyInstance): Promise<void> {
  await fastify.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Shop public API',
        version: '1.0.0',
        description:
          'The single public entry of the shop. Money is integer cents (USD); ids are UUIDs. Errors are `{statusCode, error, message}`. ' +
          'Rate limits per user and per client IP answer 429 with Retry-After.',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
    // Only the public API: health and metrics are operational endpoints, not part of the contract.
    hideUntagged: true,
  });
  await fastify.register(swaggerUi, { routePrefix: '/docs' });
}
