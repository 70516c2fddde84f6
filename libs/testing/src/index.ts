export * from './databases';
export * from './dist';
export * from './fakes';
