import type { TokenEntity } from '@oneapi/data';

/** A token as One API serialises it (`json:` tags of model.Token). Only ever sent to its owner. */
export interface TokenView {
  id: number;
  user_id: number;
  /** 48 characters without the `sk-` prefix (One API's field); clients send `sk-<key>`. */
  key: string;
  status: number;
  name: string;
  created_time: number;
  accessed_time: number;
  expired_time: number;
  remain_quota: number;
  unlimited_quota: boolean;
  used_quota: number;
  models: string;
  subnet: string;
}

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
