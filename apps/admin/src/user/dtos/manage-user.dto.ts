import { IsIn, IsString, Length } from 'class-validator';

export const MANAGE_ACTIONS = ['disable', 'enable', 'delete', 'promote', 'demote'] as const;
export type ManageAction = (typeof MANAGE_ACTIONS)[number];

/** POST /api/user/manage. */
export class ManageUserDto {
  @IsString()
  @Length(1, 64)
  username!: string;

  @IsIn(MANAGE_ACTIONS, { message: `action must be one of ${MANAGE_ACTIONS.join(', ')}` })
  action!: ManageAction;
}
