import type { TokenEntity } from '@oneapi/data';
import type { TokenView } from '@oneapi/domain';

export type { TokenView };

export function toTokenView(t: TokenEntity): TokenView {
  return {
    id: t.id,
    user_id: t.userId,
    key: t.key,
    status: t.status,
    name: t.name,
    created_time: t.createdTime,
    accessed_time: t.accessedTime,
    expired_time: t.expiredTime,
    remain_quota: t.remainQuota,
    unlimited_quota: t.unlimitedQuota,
    used_quota: t.usedQuota,
    models: t.models ?? '',
    subnet: t.subnet ?? '',
  };
}
