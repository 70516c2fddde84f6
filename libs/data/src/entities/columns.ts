import type { ValueTransformer } from 'typeorm';

/**
 * BIGINT columns come back from mysql2 as strings; quota values fit safely in a JS number
 * (2^53 units is ~18 billion USD), so read them as numbers on both databases.
 */
export const bigintNumber: ValueTransformer = {
  to: (value: unknown) => value,
  from: (value: unknown) => (value === null || value === undefined ? value : Number(value)),
};

/** Booleans are TINYINT on MySQL and INTEGER on SQLite; read them as booleans on both. */
export const booleanNumber: ValueTransformer = {
  to: (value: unknown) => (value === undefined ? value : value ? 1 : 0),
  from: (value: unknown) => value === true || value === 1 || value === '1',
};
