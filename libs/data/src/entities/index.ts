import { AbilityEntity } from './ability.entity';
import { CacheEventEntity } from './cache-event.entity';
import { ChannelEntity } from './channel.entity';
import { LogEntity } from './log.entity';
import { OptionEntity } from './option.entity';
import { RedemptionEntity } from './redemption.entity';
import { TokenEntity } from './token.entity';
import { UserEntity } from './user.entity';

export { AbilityEntity, CacheEventEntity, ChannelEntity, LogEntity, OptionEntity, RedemptionEntity, TokenEntity, UserEntity };

export const ENTITIES = [UserEntity, TokenEntity, ChannelEntity, AbilityEntity, RedemptionEntity, LogEntity, OptionEntity, CacheEventEntity];
