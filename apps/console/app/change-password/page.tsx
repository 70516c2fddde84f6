'use client';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Form, Input } from 'antd';
import { useRouter } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { AuthCard } from '@/components/auth-card';
import { api } from '@/lib/api-client';
import { errorMessage } from '@/lib/hooks';

/**
 * Forced after signing in as root with the default password: the admin API refuses everything
 * else for that session until `PUT /api/user/self {password}` succeeds.
 */
export default function ChangePasswordPage() {
  const t = useTranslations('changePassword');
  const router = useRouter();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const onFinish = async ({ password }: { password: string; password2: string }) => {
    setSubmitting(true);
    setError(null);
    try {
      await api.put('/api/user/self', { password });
      message.success(t('done'));
      await queryClient.invalidateQueries();
      router.replace('/dashboard');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <AuthCard title={t('title')}>
      <Alert type="warning" showIcon title={t('why')} style={{ marginBottom: 16 }} />
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Form layout="vertical" onFinish={onFinish} requiredMark={false}>
        <Form.Item name="password" label={t('password')} rules={[{ required: true, message: t('required') }, { min: 8, max: 20, message: t('length') }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="password2"
          label={t('password2')}
          dependencies={['password']}
          rules={[
            { required: true, message: t('required') },
            ({ getFieldValue }) => ({
              validator: (_rule, value: string) => (value === getFieldValue('password') ? Promise.resolve() : Promise.reject(new Error(t('mismatch')))),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={submitting} data-testid="change-password-submit">
          {t('submit')}
        </Button>
      </Form>
    </AuthCard>
  );
}
