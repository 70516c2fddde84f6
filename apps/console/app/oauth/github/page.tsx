'use client';
import { useQueryClient } from '@tanstack/react-query';
import { Result, Spin } from 'antd';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { Suspense, useEffect, useRef, useState } from 'react';
import { apiRequest } from '@/lib/api-client';
import { errorMessage, queryKeys } from '@/lib/hooks';

/** GitHub redirects here with `?code=&state=`; the admin API signs in (or binds, when signed in). */
function GitHubCallback() {
  const t = useTranslations('login');
  const params = useSearchParams();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const started = useRef(false);

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    apiRequest<unknown>('POST', '/api/oauth/github', { body: { code: params.get('code') ?? '', state: params.get('state') ?? '' } })
      .then(async (res) => {
        await queryClient.invalidateQueries({ queryKey: queryKeys.self });
        // The API answers message "bind" for a signed-in user and the user otherwise.
        router.replace(res.message === 'bind' ? '/setting' : '/dashboard');
      })
      .catch((err: unknown) => setError(errorMessage(err)));
  }, [params, queryClient, router]);

  if (error) return <Result status="error" title={t('oauthFailed')} subTitle={error} extra={<Link href="/login">{t('backToLogin')}</Link>} />;
  return <Spin size="large" style={{ display: 'block', margin: '80px auto' }} />;
}

export default function GitHubOAuthPage() {
  return (
    <Suspense>
      <GitHubCallback />
    </Suspense>
  );
}
