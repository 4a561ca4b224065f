import { ConfigError } from '@shop/platform';
import { loadShippingConfig } from './shipping.config';

const required = {
  SHIPPING_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/shipping',
  KAFKA_BROKERS: '127.0.0.1:9092',
  RABBITMQ_URL: 'amqp://guest:guest@127.0.0.1:5672',
};

describe('shipping configuration', () => {
  it('fills in the documented defaults', () => {
    expect(loadShippingConfig(required)).toEqual({
      ...required,
      KAFKA_BROKERS: ['127.0.0.1:9092'],
      SHIPPING_HTTP_PORT: 3005,
      SHIPPING_WORKER_HTTP_PORT: 3015,
      SHIPPING_WORKER_PREFETCH: 10,
      SHIPPING_RETRY_DELAY_MS: 2_000,
      SHIPPING_MAX_ATTEMPTS: 5,
      SHIPPING_CONSUMER_GROUP_PREFIX: '',
      SHIPPING_QUEUE_PREFIX: '',
      LOG_LEVEL: 'info',
    });
  });

  it('reads the worker settings and the prefixes from the environment', () => {
    const config = loadShippingConfig({
      ...required,
      SHIPPING_WORKER_HTTP_PORT: '3016',
      SHIPPING_WORKER_PREFETCH: '50',
      SHIPPING_RETRY_DELAY_MS: '250',
      SHIPPING_MAX_ATTEMPTS: '3',
      SHIPPING_CONSUMER_GROUP_PREFIX: 'spec-1.',
      SHIPPING_QUEUE_PREFIX: 'spec-1.',
    });
    expect(config).toMatchObject({
      SHIPPING_WORKER_HTTP_PORT: 3016,
      SHIPPING_WORKER_PREFETCH: 50,
      SHIPPING_RETRY_DELAY_MS: 250,
      SHIPPING_MAX_ATTEMPTS: 3,
      SHIPPING_CONSUMER_GROUP_PREFIX: 'spec-1.',
      SHIPPING_QUEUE_PREFIX: 'spec-1.',
    });
  });

  it.each([
    ['SHIPPING_WORKER_PREFETCH', '0'],
    ['SHIPPING_WORKER_PREFETCH', '70000'],
    ['SHIPPING_RETRY_DELAY_MS', '-1'],
    ['SHIPPING_MAX_ATTEMPTS', 'many'],
    ['SHIPPING_QUEUE_PREFIX', 'has space'],
    ['SHIPPING_CONSUMER_GROUP_PREFIX', 'a/b'],
    ['RABBITMQ_URL', 'http://127.0.0.1:5672'],
  ])('refuses to start when %s is %s, naming the variable', (name, value) => {
    expect(() => loadShippingConfig({ ...required, [name]: value })).toThrow(ConfigError);
    expect(() => loadShippingConfig({ ...required, [name]: value })).toThrow(name);
  });

  it('names every missing required variable', () => {
    expect(() => loadShippingConfig({})).toThrow(/SHIPPING_DATABASE_URL is required[\s\S]*KAFKA_BROKERS is required[\s\S]*RABBITMQ_URL is required/);
  });
});
