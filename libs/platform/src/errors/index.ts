export * from './domain-error';
export * from './error-table';
export * from './transient';
