'use client';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Alert, DatePicker, Form, Input, InputNumber, Modal, Select, Space, Switch, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslations } from 'next-intl';
import { useEffect } from 'react';
import { api } from '@/lib/api-client';
import { errorMessage, useQuotaFormat } from '@/lib/hooks';
import { splitList } from '@/lib/format';
import type { Token } from '@/lib/types';

interface TokenFormValues {
  name: string;
  never_expires: boolean;
  expired_at?: Dayjs | null;
  unlimited_quota: boolean;
  remain_quota?: number;
  models: string[];
  subnet?: string;
}

/** Body of `POST /api/token/` and `PUT /api/token/` (One API's token fields). */
export interface TokenBody {
  id?: number;
  name: string;
  expired_time: number;
  remain_quota: number;
  unlimited_quota: boolean;
  models: string;
  subnet: string;
}

const CIDR = /^\s*((\d{1,3}\.){3}\d{1,3}\/\d{1,2}|[0-9a-fA-F:]+\/\d{1,3})\s*$/;

/** Create or edit a token; on create the API may return the new token (with its full key). */
export function TokenFormModal({ open, token, onClose, onSaved }: { open: boolean; token: Token | null; onClose: () => void; onSaved: (created: Token | null) => void }) {
  const t = useTranslations('tokens');
  const formatQuota = useQuotaFormat();
  const [form] = Form.useForm<TokenFormValues>();
  const models = useQuery({
    queryKey: ['user', 'available_models'],
    queryFn: ({ signal }) => api.get<string[]>('/api/user/available_models', undefined, signal),
    enabled: open,
    staleTime: 60_000,
  });

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    if (token) {
      form.setFieldsValue({
        name: token.name,
        never_expires: token.expired_time === -1,
        expired_at: token.expired_time === -1 ? null : dayjs.unix(token.expired_time),
        unlimited_quota: token.unlimited_quota,
        remain_quota: token.remain_quota,
        models: splitList(token.models),
        subnet: token.subnet ?? '',
      });
    } else {
      form.setFieldsValue({ name: '', never_expires: true, unlimited_quota: true, remain_quota: 500000, models: [], subnet: '' });
    }
  }, [open, token, form]);

  const save = useMutation({
    mutationFn: async (values: TokenFormValues) => {
      const body: TokenBody = {
        name: values.name.trim(),
        expired_time: values.never_expires || !values.expired_at ? -1 : values.expired_at.unix(),
        unlimited_quota: values.unlimited_quota,
        remain_quota: values.unlimited_quota ? 0 : (values.remain_quota ?? 0),
        models: values.models.join(','),
        subnet: (values.subnet ?? '').trim(),
      };
      if (token) return api.put<Token | null>('/api/token/', { ...body, id: token.id });
      return api.post<Token | null>('/api/token/', body);
    },
    onSuccess: (data) => onSaved(token ? null : data && typeof data === 'object' ? data : null),
  });

  const neverExpires = Form.useWatch('never_expires', form);
  const unlimited = Form.useWatch('unlimited_quota', form);
  const remain = Form.useWatch('remain_quota', form);

  return (
    <Modal
      open={open}
      title={token ? t('edit') : t('create')}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={save.isPending}
      destroyOnHidden
      forceRender
    >
      {save.error && <Alert type="error" showIcon title={errorMessage(save.error)} style={{ marginBottom: 16 }} />}
      <Form form={form} layout="vertical" onFinish={(values) => save.mutate(values)}>
        <Form.Item name="name" label={t('name')} rules={[{ required: true, whitespace: true, message: t('nameRequired') }, { max: 30, message: t('nameMax') }]}>
          <Input />
        </Form.Item>
        <Form.Item label={t('expires')}>
          <Space wrap>
            <Form.Item name="never_expires" valuePropName="checked" noStyle>
              <Switch aria-label={t('neverExpiresSwitch')} checkedChildren={t('never')} unCheckedChildren={t('expiresAt')} />
            </Form.Item>
            {!neverExpires && (
              <Form.Item name="expired_at" noStyle rules={[{ required: true, message: t('expiresRequired') }]}>
                <DatePicker showTime disabledDate={(d) => d.isBefore(dayjs().startOf('day'))} />
              </Form.Item>
            )}
          </Space>
        </Form.Item>
        <Form.Item label={t('quota')}>
          <Space wrap align="center">
            <Form.Item name="unlimited_quota" valuePropName="checked" noStyle>
              <Switch aria-label={t('unlimitedSwitch')} checkedChildren={t('unlimited')} unCheckedChildren={t('limited')} />
            </Form.Item>
            {!unlimited && (
              <>
                <Form.Item name="remain_quota" noStyle rules={[{ required: true, type: 'integer', min: 0, message: t('quotaInvalid') }]}>
                  <InputNumber min={0} precision={0} style={{ width: 180 }} />
                </Form.Item>
                <Typography.Text type="secondary">≈ {formatQuota(remain ?? 0)}</Typography.Text>
              </>
            )}
          </Space>
        </Form.Item>
        <Form.Item name="models" label={t('models')} extra={t('modelsHint')}>
          <Select mode="tags" allowClear loading={models.isPending} options={(models.data ?? []).map((m) => ({ value: m, label: m }))} tokenSeparators={[',']} />
        </Form.Item>
        <Form.Item
          name="subnet"
          label={t('subnet')}
          extra={t('subnetHint')}
          rules={[
            {
              validator: (_r, value: string | undefined) =>
                !value || value.split(',').every((part) => CIDR.test(part)) ? Promise.resolve() : Promise.reject(new Error(t('subnetInvalid'))),
            },
          ]}
        >
          <Input placeholder="192.168.0.0/24,10.0.0.0/8" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
