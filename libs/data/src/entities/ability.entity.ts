import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintNumber, booleanNumber } from './columns';

/** (group, model, channel) rows derived from channels; the index the relay routes by. */
@Entity({ name: 'abilities' })
@Index('idx_abilities_lookup', ['group', 'model', 'enabled', 'priority'])
export class AbilityEntity {
  @PrimaryColumn({ name: 'group', type: 'varchar', length: 32 })
  group!: string;

  @PrimaryColumn({ type: 'varchar', length: 128 })
  model!: string;

  @Index('idx_abilities_channel_id')
  @PrimaryColumn({ name: 'channel_id', type: 'int' })
  channelId!: number;

  @Column({ type: 'tinyint', default: 1, transformer: booleanNumber })
  enabled!: boolean;

  @Column({ type: 'bigint', default: 0, transformer: bigintNumber })
  priority!: number;

  @Column({ type: 'int', default: 0 })
  weight!: number;
}
