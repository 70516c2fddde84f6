'use client';
/** Shared server-state hooks (React Query) and small helpers used across pages. */
import { useQuery } from '@tanstack/react-query';
import { App } from 'antd';
import { useTranslations } from 'next-intl';
import { useCallback, useEffect, useState } from 'react';
import { api, ApiError } from './api-client';
import { DEFAULT_QUOTA_PER_UNIT, formatQuota, relayBaseUrl } from './format';
import type { SystemStatus, User } from './types';

export const queryKeys = {
  status: ['status'] as const,
  self: ['user', 'self'] as const,
};

/** `GET /api/status`: public, cached for a minute. */
export function useStatus() {
  return useQuery({
    queryKey: queryKeys.status,
    queryFn: ({ signal }) => api.get<SystemStatus>('/api/status', undefined, signal),
    staleTime: 60_000,
  });
}

/** `GET /api/user/self`: the signed-in user, or an ApiError 401 when signed out. */
export function useSelf() {
  return useQuery({
    queryKey: queryKeys.self,
    queryFn: ({ signal }) => api.get<User>('/api/user/self', undefined, signal),
    retry: false,
    staleTime: 15_000,
    meta: { quiet401: true },
  });
}

/** Quota formatter bound to the status' `display_in_currency` / `quota_per_unit`. */
export function useQuotaFormat() {
  const { data } = useStatus();
  const displayInCurrency = data?.display_in_currency ?? true;
  const quotaPerUnit = data?.quota_per_unit || DEFAULT_QUOTA_PER_UNIT;
  return useCallback(
    (quota: number, digits = 2) => formatQuota(quota, { displayInCurrency, quotaPerUnit }, digits),
    [displayInCurrency, quotaPerUnit],
  );
}

/** The relay's public base URL (no trailing slash). */
export function useRelayUrl(): string {
  const { data } = useStatus();
  const [origin, setOrigin] = useState<{ protocol: string; hostname: string } | undefined>();
  useEffect(() => setOrigin({ protocol: window.location.protocol, hostname: window.location.hostname }), []);
  return relayBaseUrl(data, origin);
}

/** Copies text and toasts the result. */
export function useCopy() {
  const { message } = App.useApp();
  const t = useTranslations('common');
  return useCallback(
    async (text: string) => {
      try {
        await navigator.clipboard.writeText(text);
        message.success(t('copied'));
      } catch {
        // Clipboard API needs a secure context; show the text so it can be copied by hand.
        message.warning(`${t('copyFailed')}: ${text}`);
      }
    },
    [message, t],
  );
}

/** Message to show for a failed call. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError || err instanceof Error) return err.message;
  return String(err);
}

/** Shows a failed mutation's API message in a toast. */
export function useErrorToast() {
  const { message } = App.useApp();
  return useCallback((err: unknown) => message.error(errorMessage(err)), [message]);
}
