export * from './cli';
export * from './logger';
export * from './runtime';
export * from './tokens';
export * from './platform.module';
export * from './health.controller';
export * from './create-app';
export * from './sql-cache-bus';
