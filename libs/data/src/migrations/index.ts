import { InitialSchema1764288000000 } from './1764288000000-initial-schema';
import { CacheEvents1764288100000 } from './1764288100000-cache-events';
import { MoneyLedger1764288200000 } from './1764288200000-money-ledger';
import { SessionEpoch1764288300000 } from './1764288300000-session-epoch';
import { ChannelCapacity1764288400000 } from './1764288400000-channel-capacity';
import { SystemSecrets1764288600000 } from './1764288600000-system-secrets';
import { LogSystemPromptReset1764288700000 } from './1764288700000-log-system-prompt-reset';
import { ChannelLastTest1764288800000 } from './1764288800000-channel-last-test';

/** Every migration, oldest first. Add new ones at the end; never edit a released one. */
export const MIGRATIONS = [InitialSchema1764288000000, CacheEvents1764288100000, MoneyLedger1764288200000, SessionEpoch1764288300000, ChannelCapacity1764288400000, SystemSecrets1764288600000, LogSystemPromptReset1764288700000, ChannelLastTest1764288800000];
