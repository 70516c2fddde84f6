import type { UserEntity } from '@oneapi/data';
import type { UserView } from '@oneapi/domain';

export type { UserView };

export function toUserView(u: UserEntity): UserView {
  return {
    id: u.id,
    username: u.username,
    display_name: u.displayName,
    role: u.role,
    status: u.status,
    email: u.email,
    github_id: u.githubId,
    wechat_id: u.wechatId,
    quota: u.quota,
    used_quota: u.usedQuota,
    request_count: u.requestCount,
    group: u.group,
    aff_code: u.affCode ?? '',
    inviter_id: u.inviterId,
  };
}

/** What login answers (One API's SetupLogin `cleanUser`), plus the forced password change flag. */
export interface LoginView {
  id: number;
  username: string;
  display_name: string;
  role: number;
  status: number;
  require_password_change?: boolean;
}
