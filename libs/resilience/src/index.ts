export * from './dependency-policy';
export * from './resilience.module';
