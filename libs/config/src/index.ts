export * from './config.schema';
export * from './load-config';
export * from './version';
export * from './test-env';
