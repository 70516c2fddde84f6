'use client';
import { GithubOutlined, LockOutlined, UserOutlined, WechatOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Divider, Form, Input, Modal, Space, Typography } from 'antd';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { Suspense, useEffect, useState } from 'react';
import { AuthCard } from '@/components/auth-card';
import { TurnstileField, useTurnstileMissing } from '@/components/turnstile-field';
import { api, ApiError } from '@/lib/api-client';
import { errorMessage, queryKeys, useStatus } from '@/lib/hooks';
import type { LoginResult } from '@/lib/types';

/** One API's initial root password; signing in with it forces a change (SPEC 5). */
const DEFAULT_ROOT_PASSWORD = '123456';

function safeRedirect(target: string | null): string {
  // Only same-site paths: never bounce a fresh session to another origin.
  return target && target.startsWith('/') && !target.startsWith('//') ? target : '/dashboard';
}

function LoginForm() {
  const t = useTranslations('login');
  const router = useRouter();
  const params = useSearchParams();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const { data: status } = useStatus();
  const [turnstile, setTurnstile] = useState('');
  const turnstileMissing = useTurnstileMissing(turnstile);
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [wechatOpen, setWechatOpen] = useState(false);
  const [wechatCode, setWechatCode] = useState('');
  // Typing into the server-rendered form before hydration would be lost (the form store starts
  // empty), so it stays disabled until the page is interactive.
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);

  const afterLogin = async (result: LoginResult | null, forceChange: boolean) => {
    await queryClient.invalidateQueries({ queryKey: queryKeys.self });
    if (forceChange || result?.require_password_change) {
      message.warning(t('changeDefaultPassword'));
      router.replace('/change-password');
      return;
    }
    message.success(t('success'));
    router.replace(safeRedirect(params.get('redirect')));
  };

  const onFinish = async (values: { username: string; password: string }) => {
    setSubmitting(true);
    setError(null);
    try {
      const data = await api.post<LoginResult>('/api/user/login', values, { turnstile });
      await afterLogin(data, values.username === 'root' && values.password === DEFAULT_ROOT_PASSWORD);
    } catch (err) {
      if (err instanceof ApiError && err.isPasswordChangeRequired) {
        await afterLogin(null, true);
        return;
      }
      setError(errorMessage(err));
    } finally {
      setSubmitting(false);
    }
  };

  const githubLogin = async () => {
    try {
      const state = await api.get<string>('/api/oauth/state');
      const authorize = status?.github_authorize_url || 'https://github.com/login/oauth/authorize';
      const url = new URL(authorize);
      url.searchParams.set('client_id', status?.github_client_id ?? '');
      url.searchParams.set('state', state);
      url.searchParams.set('scope', 'user:email');
      window.location.href = url.toString();
    } catch (err) {
      message.error(errorMessage(err));
    }
  };

  const wechatLogin = async () => {
    try {
      const data = await api.post<LoginResult>('/api/oauth/wechat', { code: wechatCode });
      setWechatOpen(false);
      await afterLogin(data, false);
    } catch (err) {
      message.error(errorMessage(err));
    }
  };

  return (
    <AuthCard title={t('title')}>
      {params.get('expired') && <Alert type="warning" showIcon title={t('expired')} style={{ marginBottom: 16 }} />}
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="login-error" />}
      <Form layout="vertical" onFinish={onFinish} requiredMark={false} disabled={!hydrated || status?.password_login_enabled === false}>
        <Form.Item name="username" label={t('username')} rules={[{ required: true, message: t('usernameRequired') }]}>
          <Input prefix={<UserOutlined />} autoComplete="username" placeholder={t('usernamePlaceholder')} />
        </Form.Item>
        <Form.Item name="password" label={t('password')} rules={[{ required: true, message: t('passwordRequired') }]}>
          <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
        </Form.Item>
        <TurnstileField onToken={setTurnstile} />
        <Button type="primary" htmlType="submit" block loading={submitting} disabled={turnstileMissing} data-testid="login-submit">
          {t('submit')}
        </Button>
      </Form>
      <Space style={{ width: '100%', justifyContent: 'space-between', marginTop: 16 }} wrap>
        <Link href="/reset">{t('forgot')}</Link>
        <Link href="/register">{t('register')}</Link>
      </Space>
      {(status?.github_oauth || status?.wechat_login) && (
        <>
          <Divider plain>{t('other')}</Divider>
          <Space style={{ width: '100%', justifyContent: 'center' }}>
            {status.github_oauth && <Button shape="circle" icon={<GithubOutlined />} aria-label="GitHub" onClick={() => void githubLogin()} />}
            {status.wechat_login && <Button shape="circle" icon={<WechatOutlined />} aria-label="WeChat" onClick={() => setWechatOpen(true)} />}
          </Space>
        </>
      )}
      <Modal open={wechatOpen} title={t('wechatTitle')} onCancel={() => setWechatOpen(false)} onOk={() => void wechatLogin()} okButtonProps={{ disabled: !wechatCode }}>
        {/* Plain img: operator-configured QR code URL. */}
        {status?.wechat_qrcode && <img src={status.wechat_qrcode} alt="WeChat QR" style={{ width: '100%' }} />}
        <Typography.Paragraph>{t('wechatHint')}</Typography.Paragraph>
        <Input value={wechatCode} onChange={(e) => setWechatCode(e.target.value)} placeholder={t('wechatCode')} />
      </Modal>
    </AuthCard>
  );
}

export default function LoginPage() {
  return (
    <Suspense>
      <LoginForm />
    </Suspense>
  );
}
