export * from './entities';
export * from './migrations';
export * from './data-source';
export * from './bootstrap';
export * from './passwords';
export * from './sql';
export * from './database';
