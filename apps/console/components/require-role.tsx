'use client';
import { Result, Spin } from 'antd';
import { usePathname, useRouter } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { type ReactNode, useEffect } from 'react';
import { ApiError } from '@/lib/api-client';
import { useSelf } from '@/lib/hooks';

/**
 * Renders children only for a signed-in user with at least `minRole`. Signed out → login page
 * (coming back afterwards); default root password → the forced password change.
 */
export function RequireRole({ minRole, children }: { minRole: number; children: ReactNode }) {
  const t = useTranslations('common');
  const { data: self, error, isPending } = useSelf();
  const router = useRouter();
  const pathname = usePathname();
  const apiError = error instanceof ApiError ? error : undefined;

  useEffect(() => {
    if (apiError?.isPasswordChangeRequired) router.replace('/change-password');
    else if (apiError?.isUnauthorized) router.replace(`/login?redirect=${encodeURIComponent(pathname)}`);
  }, [apiError, router, pathname]);

  if (isPending || apiError?.isUnauthorized || apiError?.isPasswordChangeRequired) {
    return <Spin size="large" style={{ display: 'block', margin: '80px auto' }} />;
  }
  if (error) return <Result status="error" title={t('loadFailed')} subTitle={error.message} />;
  if (!self || self.role < minRole) return <Result status="403" title="403" subTitle={t('forbidden')} />;
  return <>{children}</>;
}
