import { ConfigError } from '@shop/platform';
import { loadGatewayConfig } from './gateway.config';

const required = {
  USER_HTTP_URL: 'http://127.0.0.1:3001',
  ORDER_HTTP_URL: 'http://127.0.0.1:3002',
  INVENTORY_HTTP_URL: 'http://127.0.0.1:3003',
  USER_GRPC_ADDRESS: '127.0.0.1:50051',
  ORDER_GRPC_ADDRESS: '127.0.0.1:50052',
  PAYMENT_GRPC_ADDRESS: '127.0.0.1:50054',
  RECOMMENDATION_GRPC_ADDRESS: '127.0.0.1:50056',
  KAFKA_BROKERS: '127.0.0.1:9092',
  GATEWAY_JWT_PUBLIC_KEY_FILE: '.local/keys/jwt-ed25519.public.pem',
};

describe('gateway configuration', () => {
  it('applies the documented defaults', () => {
    expect(loadGatewayConfig(required)).toMatchObject({
      GATEWAY_HTTP_PORT: 8080,
      JWT_ISSUER: 'shop-user',
      JWT_AUDIENCE: 'shop-api',
      GATEWAY_RATE_LIMIT_PER_USER: 600,
      GATEWAY_RATE_LIMIT_PER_IP: 1200,
      GATEWAY_TRUST_PROXY: false,
      GATEWAY_BODY_LIMIT_BYTES: 65_536,
      GATEWAY_DASHBOARD_DEADLINE_MS: 800,
      GATEWAY_RECORD_PRODUCT_VIEWS: true,
    });
  });

  it('refuses to start without a JWT public key, naming the variables to set', () => {
    const withoutKey: Record<string, string | undefined> = { ...required, GATEWAY_JWT_PUBLIC_KEY_FILE: undefined };
    expect(() => loadGatewayConfig(withoutKey)).toThrow(ConfigError);
    expect(() => loadGatewayConfig(withoutKey)).toThrow('GATEWAY_JWT_PUBLIC_KEY');
  });

  it('refuses a rate limit that is not a positive number and a trust-proxy flag that is not a boolean', () => {
    expect(() => loadGatewayConfig({ ...required, GATEWAY_RATE_LIMIT_PER_USER: '0' })).toThrow('GATEWAY_RATE_LIMIT_PER_USER');
    expect(() => loadGatewayConfig({ ...required, GATEWAY_TRUST_PROXY: 'yes' })).toThrow('GATEWAY_TRUST_PROXY');
  });

  it('refuses a dashboard part deadline longer than the dashboard deadline', () => {
    expect(() => loadGatewayConfig({ ...required, GATEWAY_DASHBOARD_DEADLINE_MS: '300', GATEWAY_DASHBOARD_PART_TIMEOUT_MS: '500' })).toThrow(
      'GATEWAY_DASHBOARD_PART_TIMEOUT_MS',
    );
  });
});
