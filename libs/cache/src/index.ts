export * from './redis';
export * from './cache-bus';
export * from './ttl-cache';
