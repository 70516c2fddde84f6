'use client';
import { Alert, Button, Form, Input } from 'antd';
import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { AuthCard } from '@/components/auth-card';
import { TurnstileField, useTurnstileMissing } from '@/components/turnstile-field';
import { api } from '@/lib/api-client';
import { errorMessage } from '@/lib/hooks';

/** Requests a reset link by email: `GET /api/reset_password?email=&turnstile=`. */
export default function ResetRequestPage() {
  const t = useTranslations('reset');
  const [turnstile, setTurnstile] = useState('');
  const turnstileMissing = useTurnstileMissing(turnstile);
  const [submitting, setSubmitting] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);

  const onFinish = async ({ email }: { email: string }) => {
    setSubmitting(true);
    try {
      await api.get('/api/reset_password', { email, turnstile });
      setResult({ ok: true, text: t('sent') });
    } catch (err) {
      setResult({ ok: false, text: errorMessage(err) });
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <AuthCard title={t('title')}>
      {result && <Alert type={result.ok ? 'success' : 'error'} showIcon title={result.text} style={{ marginBottom: 16 }} />}
      <Form layout="vertical" onFinish={onFinish} requiredMark={false}>
        <Form.Item name="email" label={t('email')} rules={[{ required: true, type: 'email', message: t('emailInvalid') }]}>
          <Input type="email" autoComplete="email" />
        </Form.Item>
        <TurnstileField onToken={setTurnstile} />
        <Button type="primary" htmlType="submit" block loading={submitting} disabled={turnstileMissing}>
          {t('submit')}
        </Button>
      </Form>
    </AuthCard>
  );
}
