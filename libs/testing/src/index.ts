export * from './databases';
export * from './dist';
