import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'options' })
export class OptionEntity {
  @PrimaryColumn({ type: 'varchar', length: 128 })
  key!: string;

  @Column({ type: 'text', nullable: true })
  value!: string | null;
}
