export * from './kafka/kafka.module';
export * from './rabbitmq/rabbitmq-connection';
export * from './rabbitmq/rabbitmq.module';
