'use client';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Alert, Form, Input, InputNumber, Modal, Select, Spin, Typography } from 'antd';
import { useTranslations } from 'next-intl';
import { useEffect } from 'react';
import { api } from '@/lib/api-client';
import { errorMessage, useQuotaFormat } from '@/lib/hooks';
import type { User } from '@/lib/types';

interface UserFormValues {
  username: string;
  display_name?: string;
  password?: string;
  group?: string;
  quota?: number;
}

/** Create (`POST /api/user/`) or edit (`PUT /api/user/`, loaded from `GET /api/user/:id`) a user. */
export function UserFormModal({ open, userId, onClose, onSaved }: { open: boolean; userId: number | null; onClose: () => void; onSaved: () => void }) {
  const t = useTranslations('users');
  const formatQuota = useQuotaFormat();
  const [form] = Form.useForm<UserFormValues>();
  const editing = userId !== null;
  const user = useQuery({
    queryKey: ['users', 'one', userId],
    queryFn: ({ signal }) => api.get<User>(`/api/user/${userId}`, undefined, signal),
    enabled: open && editing,
  });
  const groups = useQuery({
    queryKey: ['groups'],
    queryFn: ({ signal }) => api.get<string[]>('/api/group/', undefined, signal),
    enabled: open && editing,
    staleTime: 60_000,
  });

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    if (editing && user.data) {
      const u = user.data;
      form.setFieldsValue({ username: u.username, display_name: u.display_name, group: u.group || 'default', quota: u.quota, password: '' });
    }
  }, [open, editing, user.data, form]);

  const save = useMutation({
    mutationFn: async (values: UserFormValues) => {
      const password = values.password ? values.password : undefined;
      if (editing) return api.put('/api/user/', { id: userId, username: values.username.trim(), display_name: values.display_name ?? '', group: values.group, quota: values.quota, password });
      return api.post('/api/user/', { username: values.username.trim(), display_name: values.display_name ?? '', password });
    },
    onSuccess: onSaved,
  });
  const quota = Form.useWatch('quota', form);

  return (
    <Modal open={open} title={editing ? t('edit') : t('create')} onCancel={onClose} onOk={() => form.submit()} confirmLoading={save.isPending} destroyOnHidden forceRender>
      {save.error && <Alert type="error" showIcon title={errorMessage(save.error)} style={{ marginBottom: 16 }} />}
      {user.error && <Alert type="error" showIcon title={user.error.message} style={{ marginBottom: 16 }} />}
      <Spin spinning={editing && user.isPending}>
        <Form form={form} layout="vertical" onFinish={(v) => save.mutate(v)}>
          <Form.Item name="username" label={t('username')} rules={[{ required: true, whitespace: true, message: t('usernameRequired') }, { max: 12, message: t('usernameMax') }]}>
            <Input autoComplete="off" />
          </Form.Item>
          <Form.Item name="display_name" label={t('displayName')} rules={[{ max: 20 }]}>
            <Input />
          </Form.Item>
          <Form.Item
            name="password"
            label={t('password')}
            extra={editing ? t('passwordKeep') : undefined}
            rules={[{ required: !editing, message: t('passwordRequired') }, { min: 8, max: 20, message: t('passwordLength') }]}
          >
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          {editing && (
            <>
              <Form.Item name="group" label={t('group')} rules={[{ required: true }]}>
                <Select options={(groups.data ?? ['default']).map((g) => ({ value: g, label: g }))} />
              </Form.Item>
              <Form.Item name="quota" label={t('quota')} rules={[{ required: true, type: 'integer', min: 0, message: t('quotaInvalid') }]}>
                <InputNumber min={0} precision={0} style={{ width: '100%' }} />
              </Form.Item>
              <Typography.Text type="secondary">≈ {formatQuota(quota ?? 0)}</Typography.Text>
            </>
          )}
        </Form>
      </Spin>
    </Modal>
  );
}
