import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from './columns';

/** Invalidation events for processes that share a database but no Redis (embedded mode). */
@Entity({ name: 'cache_events' })
export class CacheEventEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 16 })
  topic!: string;

  @Column({ type: 'varchar', length: 128, default: '' })
  ref!: string;

  @Column({ name: 'created_at', type: 'bigint', default: 0, transformer: bigintNumber })
  createdAt!: number;
}
