export * from './infrastructure';
export * from './kafka-fixture';
export * from './tcp-proxy';
