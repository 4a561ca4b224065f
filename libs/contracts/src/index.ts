export * from './grpc';
export * from './events';
