'use client';
import { App, Alert, Button, Form, Input, Space } from 'antd';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { Suspense, useState } from 'react';
import { AuthCard } from '@/components/auth-card';
import { TurnstileField, useTurnstileMissing } from '@/components/turnstile-field';
import { api } from '@/lib/api-client';
import { errorMessage, useStatus } from '@/lib/hooks';

interface RegisterValues {
  username: string;
  password: string;
  password2: string;
  email?: string;
  verification_code?: string;
}

function RegisterForm() {
  const t = useTranslations('register');
  const router = useRouter();
  const params = useSearchParams();
  const { message } = App.useApp();
  const { data: status } = useStatus();
  const [form] = Form.useForm<RegisterValues>();
  const [turnstile, setTurnstile] = useState('');
  const turnstileMissing = useTurnstileMissing(turnstile);
  const [submitting, setSubmitting] = useState(false);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const emailVerification = !!status?.email_verification;
  const affCode = params.get('aff') ?? '';

  const sendCode = async () => {
    try {
      const { email } = await form.validateFields(['email']);
      setSending(true);
      await api.get('/api/verification', { email, turnstile });
      message.success(t('codeSent'));
    } catch (err) {
      if (err && typeof err === 'object' && 'errorFields' in err) return;
      message.error(errorMessage(err));
    } finally {
      setSending(false);
    }
  };

  const onFinish = async ({ password2: _confirm, ...values }: RegisterValues) => {
    setSubmitting(true);
    setError(null);
    try {
      await api.post('/api/user/register', { ...values, aff_code: affCode || undefined }, { turnstile });
      message.success(t('success'));
      router.replace('/login');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setSubmitting(false);
    }
  };

  if (status && (status.register_enabled === false || status.password_register_enabled === false)) {
    return (
      <AuthCard title={t('title')}>
        <Alert type="info" showIcon title={t('closed')} />
      </AuthCard>
    );
  }

  return (
    <AuthCard title={t('title')}>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Form form={form} layout="vertical" onFinish={onFinish} requiredMark={false}>
        <Form.Item name="username" label={t('username')} rules={[{ required: true, message: t('usernameRequired') }, { max: 12, message: t('usernameMax') }]}>
          <Input autoComplete="username" />
        </Form.Item>
        <Form.Item name="password" label={t('password')} rules={[{ required: true, message: t('passwordRequired') }, { min: 8, max: 20, message: t('passwordLength') }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="password2"
          label={t('password2')}
          dependencies={['password']}
          rules={[
            { required: true, message: t('passwordRequired') },
            ({ getFieldValue }) => ({
              validator: (_rule, value: string) => (value === getFieldValue('password') ? Promise.resolve() : Promise.reject(new Error(t('passwordMismatch')))),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        {emailVerification && (
          <>
            <Form.Item label={t('email')} required>
              <Space.Compact style={{ width: '100%' }}>
                <Form.Item name="email" noStyle rules={[{ required: true, type: 'email', message: t('emailInvalid') }]}>
                  <Input type="email" autoComplete="email" />
                </Form.Item>
                <Button onClick={() => void sendCode()} loading={sending}>{t('sendCode')}</Button>
              </Space.Compact>
            </Form.Item>
            <Form.Item name="verification_code" label={t('code')} rules={[{ required: true, message: t('codeRequired') }]}>
              <Input />
            </Form.Item>
          </>
        )}
        {affCode && <Alert type="success" showIcon title={t('invited', { code: affCode })} style={{ marginBottom: 16 }} />}
        <TurnstileField onToken={setTurnstile} />
        <Button type="primary" htmlType="submit" block loading={submitting} disabled={turnstileMissing}>
          {t('submit')}
        </Button>
      </Form>
      <div style={{ marginTop: 16 }}>
        {t('haveAccount')} <Link href="/login">{t('login')}</Link>
      </div>
    </AuthCard>
  );
}

export default function RegisterPage() {
  return (
    <Suspense>
      <RegisterForm />
    </Suspense>
  );
}
