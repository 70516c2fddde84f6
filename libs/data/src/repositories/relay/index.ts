export * from './relay-auth.repository';
export * from './relay-channel.repository';
export * from './relay-ledger';
export * from './ledger-types';
export * from './relay-log.repository';
