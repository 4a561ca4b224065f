import { z } from 'zod';
import { env, loadConfig } from '@shop/platform';

const milliseconds = (fallback: number) => z.coerce.number().int().min(1).max(120_000).default(fallback);

/** The only reader of process.env in the gateway. */
export const gatewayConfigSchema = z
  .object({
    GATEWAY_HTTP_PORT: env.port().default(8080),
    USER_HTTP_URL: env.url('http', 'https'),
    ORDER_HTTP_URL: env.url('http', 'https'),
    INVENTORY_HTTP_URL: env.url('http', 'https'),
    USER_GRPC_ADDRESS: env.hostPort(),
    PAYMENT_GRPC_ADDRESS: env.hostPort(),
    ORDER_GRPC_ADDRESS: env.hostPort(),
    RECOMMENDATION_GRPC_ADDRESS: env.hostPort(),
    KAFKA_BROKERS: env.brokers(),
    LOG_LEVEL: env.logLevel(),

    /** The user service signs tokens with its Ed25519 private key; the gateway verifies them with the public key (SPKI PEM). */
    GATEWAY_JWT_PUBLIC_KEY_FILE: z.string().min(1).optional(),
    GATEWAY_JWT_PUBLIC_KEY: z.string().includes('BEGIN PUBLIC KEY', { message: 'must be an SPKI PEM public key' }).optional(),
    JWT_ISSUER: z.string().min(1).default('shop-user'),
    JWT_AUDIENCE: z.string().min(1).default('shop-api'),

    /** Requests a minute per authenticated user and per client IP, counted in this process only. */
    GATEWAY_RATE_LIMIT_PER_USER: env.positiveInt().default(600),
    GATEWAY_RATE_LIMIT_PER_IP: env.positiveInt().default(1200),
    /** Behind a reverse proxy: read the client IP from X-Forwarded-For (the address the nearest proxy saw). */
    GATEWAY_TRUST_PROXY: env.boolean().default(false),
    GATEWAY_BODY_LIMIT_BYTES: z.coerce.number().int().min(256).max(10 * 1024 * 1024).default(65_536),

    /**
     * Publish a product-viewed event per product view (true in every environment). Turned off only by load
     * tests that share a broker, so that they do not flood the recommendation service with synthetic views.
     */
    GATEWAY_RECORD_PRODUCT_VIEWS: env.boolean().default(true),

    /** Deadline of one attempt of a forwarded call (REST or gRPC) to an upstream service. */
    GATEWAY_UPSTREAM_TIMEOUT_MS: milliseconds(3_000),
    /** Consecutive upstream failures that open an upstream's breaker, and how long it stays open. */
    GATEWAY_BREAKER_THRESHOLD: env.positiveInt().default(5),
    GATEWAY_BREAKER_HALF_OPEN_AFTER_MS: milliseconds(5_000),
    /** The dashboard answers within this deadline, whatever its parts do. */
    GATEWAY_DASHBOARD_DEADLINE_MS: milliseconds(800),
    /** Deadline of each of the dashboard's parallel calls. */
    GATEWAY_DASHBOARD_PART_TIMEOUT_MS: milliseconds(500),
  })
  .refine((config) => config.GATEWAY_JWT_PUBLIC_KEY_FILE !== undefined || config.GATEWAY_JWT_PUBLIC_KEY !== undefined, {
    message: 'set GATEWAY_JWT_PUBLIC_KEY_FILE (path of an SPKI PEM) or GATEWAY_JWT_PUBLIC_KEY (the PEM itself)',
    path: ['GATEWAY_JWT_PUBLIC_KEY_FILE'],
  })
  .refine((config) => config.GATEWAY_DASHBOARD_PART_TIMEOUT_MS <= config.GATEWAY_DASHBOARD_DEADLINE_MS, {
    message: 'must not exceed GATEWAY_DASHBOARD_DEADLINE_MS',
    path: ['GATEWAY_DASHBOARD_PART_TIMEOUT_MS'],
  });

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;

export const loadGatewayConfig = (source: NodeJS.ProcessEnv = process.env): GatewayConfig => loadConfig(gatewayConfigSchema, source);

/** Injection token of the validated configuration. */
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
