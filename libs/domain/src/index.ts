export * from './enums';
export * from './channel-types';
