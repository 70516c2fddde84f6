export * from './config.schema';
export * from './load-config';
export * from './one-api-env';
export * from './version';
export * from './test-env';
export * from './tracing-config';
