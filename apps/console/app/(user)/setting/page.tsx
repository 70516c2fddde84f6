'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, Descriptions, Form, Input, Modal, Row, Space, Typography } from 'antd';
import { useRouter } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { useEffect, useState } from 'react';
import { api } from '@/lib/api-client';
import { errorMessage, queryKeys, useCopy, useErrorToast, useQuotaFormat, useSelf, useStatus } from '@/lib/hooks';

/** Personal settings: profile, password, system access token, invite link, account bindings. */
export default function SettingsPage() {
  const t = useTranslations('settings');
  const tc = useTranslations('common');
  const { message, modal } = App.useApp();
  const router = useRouter();
  const queryClient = useQueryClient();
  const copy = useCopy();
  const toastError = useErrorToast();
  const formatQuota = useQuotaFormat();
  const { data: status } = useStatus();
  const { data: self } = useSelf();
  const [profileForm] = Form.useForm<{ display_name: string }>();
  const [passwordForm] = Form.useForm<{ original_password: string; password: string; password2: string }>();
  const [accessToken, setAccessToken] = useState<string | null>(null);
  const [emailOpen, setEmailOpen] = useState(false);
  const [wechatOpen, setWechatOpen] = useState(false);
  const [emailForm] = Form.useForm<{ email: string; code: string }>();
  const [wechatCode, setWechatCode] = useState('');

  useEffect(() => {
    if (self) profileForm.setFieldsValue({ display_name: self.display_name });
  }, [self, profileForm]);

  const aff = useQuery({
    queryKey: ['user', 'aff'],
    queryFn: ({ signal }) => api.get<string>('/api/user/aff', undefined, signal),
  });
  const [origin, setOrigin] = useState('');
  useEffect(() => setOrigin(window.location.origin), []);
  const inviteLink = aff.data ? `${origin}/register?aff=${aff.data}` : '';

  const refreshSelf = () => queryClient.invalidateQueries({ queryKey: queryKeys.self });
  const updateSelf = useMutation({
    mutationFn: (body: { display_name?: string; password?: string; original_password?: string }) => api.put('/api/user/self', body),
    onSuccess: (_data, body) => {
      message.success(tc('saved'));
      passwordForm.resetFields();
      // A new password replaced the access token (and ended the other sessions).
      if (body.password) setAccessToken(null);
      void refreshSelf();
    },
  });
  const generateToken = useMutation({
    mutationFn: () => api.post<string>('/api/user/token'),
    onSuccess: (token) => {
      setAccessToken(token);
      void copy(token);
    },
    onError: toastError,
  });
  const deleteSelf = useMutation({
    mutationFn: () => api.delete('/api/user/self'),
    onSuccess: () => {
      queryClient.clear();
      router.replace('/');
    },
    onError: toastError,
  });
  const sendEmailCode = async () => {
    try {
      const { email } = await emailForm.validateFields(['email']);
      await api.post('/api/oauth/email/verification', { email });
      message.success(t('codeSent'));
    } catch (err) {
      if (err && typeof err === 'object' && 'errorFields' in err) return;
      toastError(err);
    }
  };
  const bindEmail = useMutation({
    mutationFn: ({ email, code }: { email: string; code: string }) => api.post('/api/oauth/email/bind', { email, code }),
    onSuccess: () => {
      setEmailOpen(false);
      message.success(t('bound'));
      void refreshSelf();
    },
    onError: toastError,
  });
  const bindWechat = useMutation({
    mutationFn: () => api.post('/api/oauth/wechat/bind', { code: wechatCode }),
    onSuccess: () => {
      setWechatOpen(false);
      message.success(t('bound'));
      void refreshSelf();
    },
    onError: toastError,
  });
  const bindGithub = async () => {
    try {
      const state = await api.get<string>('/api/oauth/state');
      const url = new URL(status?.github_authorize_url || 'https://github.com/login/oauth/authorize');
      url.searchParams.set('client_id', status?.github_client_id ?? '');
      url.searchParams.set('state', state);
      url.searchParams.set('scope', 'user:email');
      window.location.href = url.toString();
    } catch (err) {
      toastError(err);
    }
  };

  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} lg={12}>
        <Card title={t('profile')}>
          {self && (
            <Descriptions column={1} size="small" style={{ marginBottom: 16 }}>
              <Descriptions.Item label={t('username')}>{self.username}</Descriptions.Item>
              <Descriptions.Item label={t('group')}>{self.group || 'default'}</Descriptions.Item>
              <Descriptions.Item label={t('email')}>{self.email || '-'}</Descriptions.Item>
            </Descriptions>
          )}
          {updateSelf.error && <Alert type="error" showIcon title={errorMessage(updateSelf.error)} style={{ marginBottom: 16 }} />}
          <Form form={profileForm} layout="vertical" onFinish={(v) => updateSelf.mutate({ display_name: v.display_name.trim() })}>
            <Form.Item name="display_name" label={t('displayName')} rules={[{ max: 20, message: t('displayNameMax') }]}>
              <Input />
            </Form.Item>
            <Button htmlType="submit" loading={updateSelf.isPending}>{tc('save')}</Button>
          </Form>
        </Card>
      </Col>
      <Col xs={24} lg={12}>
        <Card title={t('password')}>
          <Typography.Paragraph type="secondary">{t('passwordHint')}</Typography.Paragraph>
          <Form form={passwordForm} layout="vertical" onFinish={(v) => updateSelf.mutate({ password: v.password, original_password: v.original_password })}>
            <Form.Item name="original_password" label={t('currentPassword')} rules={[{ required: true, message: t('currentPasswordRequired') }]}>
              <Input.Password autoComplete="current-password" />
            </Form.Item>
            <Form.Item name="password" label={t('newPassword')} rules={[{ required: true, message: t('passwordRequired') }, { min: 8, max: 20, message: t('passwordLength') }]}>
              <Input.Password autoComplete="new-password" />
            </Form.Item>
            <Form.Item
              name="password2"
              label={t('confirmPassword')}
              dependencies={['password']}
              rules={[
                { required: true, message: t('passwordRequired') },
                ({ getFieldValue }) => ({
                  validator: (_r, value: string) => (value === getFieldValue('password') ? Promise.resolve() : Promise.reject(new Error(t('passwordMismatch')))),
                }),
              ]}
            >
              <Input.Password autoComplete="new-password" />
            </Form.Item>
            <Button htmlType="submit" loading={updateSelf.isPending}>{t('changePassword')}</Button>
          </Form>
        </Card>
      </Col>
      <Col xs={24} lg={12}>
        <Card title={t('accessToken')}>
          <Typography.Paragraph type="secondary">{t('accessTokenHint')}</Typography.Paragraph>
          {accessToken && <Typography.Paragraph code copyable data-testid="access-token">{accessToken}</Typography.Paragraph>}
          <Button onClick={() => modal.confirm({ title: t('regenerateConfirm'), onOk: () => generateToken.mutateAsync() })} loading={generateToken.isPending}>
            {t('generate')}
          </Button>
        </Card>
      </Col>
      <Col xs={24} lg={12}>
        <Card title={t('invite')} loading={aff.isPending}>
          {aff.error && <Alert type="error" showIcon title={aff.error.message} />}
          {inviteLink && (
            <Space direction="vertical" style={{ width: '100%' }}>
              <Typography.Text code copyable={{ text: inviteLink }}>{inviteLink}</Typography.Text>
              {self?.aff_count !== undefined && (
                <Descriptions column={1} size="small">
                  <Descriptions.Item label={t('invited')}>{self.aff_count}</Descriptions.Item>
                  <Descriptions.Item label={t('rewards')}>{formatQuota(self.aff_history_quota ?? self.aff_quota ?? 0)}</Descriptions.Item>
                </Descriptions>
              )}
            </Space>
          )}
        </Card>
      </Col>
      <Col xs={24}>
        <Card title={t('bindings')}>
          <Space wrap>
            <Button onClick={() => setEmailOpen(true)}>{self?.email ? t('rebindEmail') : t('bindEmail')}</Button>
            {status?.github_oauth && <Button onClick={() => void bindGithub()} disabled={!!self?.github_id}>{self?.github_id ? t('githubBound') : t('bindGithub')}</Button>}
            {status?.wechat_login && <Button onClick={() => setWechatOpen(true)} disabled={!!self?.wechat_id}>{self?.wechat_id ? t('wechatBound') : t('bindWechat')}</Button>}
            <Button danger onClick={() => modal.confirm({ title: t('deleteAccountConfirm'), okButtonProps: { danger: true }, onOk: () => deleteSelf.mutateAsync() })}>
              {t('deleteAccount')}
            </Button>
          </Space>
        </Card>
      </Col>
      <Modal open={emailOpen} title={t('bindEmail')} onCancel={() => setEmailOpen(false)} onOk={() => emailForm.submit()} confirmLoading={bindEmail.isPending}>
        <Form form={emailForm} layout="vertical" onFinish={(v) => bindEmail.mutate(v)}>
          <Form.Item label={t('email')} required>
            <Space.Compact style={{ width: '100%' }}>
              <Form.Item name="email" noStyle rules={[{ required: true, type: 'email', message: t('emailInvalid') }]}>
                <Input type="email" />
              </Form.Item>
              <Button onClick={() => void sendEmailCode()}>{t('sendCode')}</Button>
            </Space.Compact>
          </Form.Item>
          <Form.Item name="code" label={t('code')} rules={[{ required: true, message: t('codeRequired') }]}>
            <Input />
          </Form.Item>
        </Form>
      </Modal>
      <Modal open={wechatOpen} title={t('bindWechat')} onCancel={() => setWechatOpen(false)} onOk={() => bindWechat.mutate()} okButtonProps={{ disabled: !wechatCode }}>
        {/* Plain img: operator-configured QR code URL. */}
        {status?.wechat_qrcode && <img src={status.wechat_qrcode} alt="WeChat QR" style={{ width: '100%' }} />}
        <Input value={wechatCode} onChange={(e) => setWechatCode(e.target.value)} placeholder={t('code')} />
      </Modal>
    </Row>
  );
}
