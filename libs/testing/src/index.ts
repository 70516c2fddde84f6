export * from './databases';
export * from './dist';
export * from './outside';
export * from './fakes';
export * from './processes';
export * from './http-from';
export * from './present';
