'use client';
import { Alert, Button, Typography } from 'antd';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { Suspense, useState } from 'react';
import { AuthCard } from '@/components/auth-card';
import { api } from '@/lib/api-client';
import { errorMessage, useCopy } from '@/lib/hooks';

/** Target of the emailed link `/user/reset?email=&token=`: `POST /api/user/reset` answers a new password. */
function ResetConfirm() {
  const t = useTranslations('reset');
  const params = useSearchParams();
  const copy = useCopy();
  const email = params.get('email') ?? '';
  const token = params.get('token') ?? '';
  const [submitting, setSubmitting] = useState(false);
  const [password, setPassword] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const confirm = async () => {
    setSubmitting(true);
    setError(null);
    try {
      const data = await api.post<string>('/api/user/reset', { email, token });
      setPassword(data);
      void copy(data);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <AuthCard title={t('confirmTitle')}>
      {!email || !token ? <Alert type="error" showIcon title={t('badLink')} /> : null}
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      {password ? (
        <>
          <Alert type="success" showIcon title={t('newPassword')} style={{ marginBottom: 16 }} />
          <Typography.Paragraph copyable={{ text: password }} code data-testid="new-password">{password}</Typography.Paragraph>
          <Link href="/login">{t('toLogin')}</Link>
        </>
      ) : (
        <>
          <Typography.Paragraph>{t('confirmFor', { email })}</Typography.Paragraph>
          <Button type="primary" block loading={submitting} disabled={!email || !token} onClick={() => void confirm()}>
            {t('confirm')}
          </Button>
        </>
      )}
    </AuthCard>
  );
}

export default function ResetConfirmPage() {
  return (
    <Suspense>
      <ResetConfirm />
    </Suspense>
  );
}
