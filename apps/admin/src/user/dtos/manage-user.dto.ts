import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, Length } from 'class-validator';

export const MANAGE_ACTIONS = ['disable', 'enable', 'delete', 'promote', 'demote'] as const;
export type ManageAction = (typeof MANAGE_ACTIONS)[number];

/** POST /api/user/manage. */
export class ManageUserDto {
  @ApiProperty({ type: String, minLength: 1, maxLength: 64, example: 'alice', description: 'The user to act on.' })
  @IsString()
  @Length(1, 64)
  username!: string;

  @ApiProperty({ type: String, enum: MANAGE_ACTIONS, example: 'disable', description: 'promote (root only) makes an admin, demote a common user.' })
  @IsIn(MANAGE_ACTIONS, { message: `action must be one of ${MANAGE_ACTIONS.join(', ')}` })
  action!: ManageAction;
}
