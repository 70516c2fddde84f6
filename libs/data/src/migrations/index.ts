import { InitialSchema1764288000000 } from './1764288000000-initial-schema';
import { CacheEvents1764288100000 } from './1764288100000-cache-events';

/** Every migration, oldest first. Add new ones at the end; never edit a released one. */
export const MIGRATIONS = [InitialSchema1764288000000, CacheEvents1764288100000];
