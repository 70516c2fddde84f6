export * from './relay-auth.repository';
export * from './relay-channel.repository';
export * from './relay-quota.repository';
export * from './relay-log.repository';
export * from './relay-sql';
