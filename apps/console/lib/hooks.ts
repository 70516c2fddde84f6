'use client';
/** Shared server-state hooks (React Query) and small helpers used across pages. */
import { useQuery } from '@tanstack/react-query';
import { App } from 'antd';
import { useTranslations } from 'next-intl';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, ApiError } from './api-client';
import { relayBaseUrl } from './format';
import { formatAmount, formatQuota, formatUsd, moneyDisplayFromStatus, quotaValue, type Currency, type MoneyDisplay } from './money';
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

/** The money display options from `GET /api/status` (currency mode, quota per unit, USD or CNY and its rate). */
export function useMoneyDisplay(): MoneyDisplay {
  const { data } = useStatus();
  return useMemo(() => moneyDisplayFromStatus(data), [data]);
}

/** Quota formatter bound to the status' display options (lib/money.ts). */
export function useQuotaFormat(): (quota: number) => string {
  const display = useMoneyDisplay();
  return useCallback((quota: number) => formatQuota(quota, display), [display]);
}

/** Every money formatter bound to the status' display options. */
export function useMoney() {
  const display = useMoneyDisplay();
  return useMemo(
    () => ({
      display,
      quota: (quota: number) => formatQuota(quota, display),
      /** The number a chart plots for a quota (money in the display currency, or units). */
      quotaValue: (quota: number) => quotaValue(quota, display),
      usd: (usd: number) => formatUsd(usd, display),
      amount: (amount: number, currency: Currency = 'USD') => formatAmount(amount, currency),
    }),
    [display],
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
