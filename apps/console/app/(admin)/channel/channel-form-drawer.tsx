'use client';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Alert, Button, Col, Drawer, Form, Input, InputNumber, Row, Select, Space, Tag, Typography } from 'antd';
import { useTranslations } from 'next-intl';
import { useEffect, useMemo } from 'react';
import { CHANNEL_TYPES, type ChannelFormField, ChannelType, getChannelType } from '@oneapi/domain';
import { api } from '@/lib/api-client';
import { errorMessage } from '@/lib/hooks';
import { jsonObjectError, splitList } from '@/lib/format';
import { channelFieldText, channelTypeDescription } from '@/lib/registry-text';
import type { Channel } from '@/lib/types';

interface ChannelFormValues {
  type: number;
  name: string;
  key?: string;
  base_url?: string;
  config: Record<string, string | undefined>;
  models: string[];
  groups: string[];
  model_mapping?: string;
  system_prompt?: string;
  priority?: number;
  weight?: number;
  max_concurrency?: number | null;
  rpm?: number | null;
  tpm?: number | null;
}

/** A channel type with the relay paths it serves (`GET /api/channel/types`). */
interface ChannelTypeEndpoints {
  id: number;
  endpoints: string[];
}

/** Body of `POST /api/channel/` (a multi-line key creates one channel per line) and `PUT /api/channel/`. */
export interface ChannelBody {
  id?: number;
  type: number;
  name: string;
  key?: string;
  base_url: string;
  config: string;
  models: string;
  group: string;
  model_mapping: string;
  system_prompt: string;
  priority: number;
  weight: number;
  /** Capacity across all relays; 0 = unlimited. */
  max_concurrency: number;
  rpm: number;
  tpm: number;
}

/** The capacity fields, one column each in the form. */
const CAPACITY_FIELDS = [
  { name: 'max_concurrency', label: 'maxConcurrency', hint: 'maxConcurrencyHint' },
  { name: 'rpm', label: 'rpm', hint: 'rpmHint' },
  { name: 'tpm', label: 'tpm', hint: 'tpmHint' },
] as const;

function parseConfig(config: string | null | undefined): Record<string, string> {
  try {
    const parsed: unknown = config ? JSON.parse(config) : {};
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

/** Create (single or batch) or edit a channel; the form's fields come from the channel-type registry. */
export function ChannelFormDrawer({ open, channel, onClose, onSaved }: { open: boolean; channel: Channel | null; onClose: () => void; onSaved: () => void }) {
  const t = useTranslations('channels');
  const tc = useTranslations('common');
  const tr = useTranslations('channels.registry');
  const [form] = Form.useForm<ChannelFormValues>();
  const groups = useQuery({
    queryKey: ['groups'],
    queryFn: ({ signal }) => api.get<string[]>('/api/group/', undefined, signal),
    enabled: open,
    staleTime: 60_000,
  });
  // The relay's capabilities per type come from the admin API (the adapters' declarations).
  const typeEndpoints = useQuery({
    queryKey: ['channel-types'],
    queryFn: ({ signal }) => api.get<ChannelTypeEndpoints[]>('/api/channel/types', undefined, signal),
    enabled: open,
    staleTime: 300_000,
  });
  const typeId = Form.useWatch('type', form) ?? ChannelType.OpenAI;
  const type = getChannelType(typeId);
  const endpoints = typeEndpoints.data?.find((x) => x.id === typeId)?.endpoints;
  const editing = !!channel;

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    if (channel) {
      form.setFieldsValue({
        type: channel.type,
        name: channel.name,
        key: '',
        base_url: channel.base_url ?? '',
        config: parseConfig(channel.config),
        models: splitList(channel.models),
        groups: splitList(channel.group),
        model_mapping: channel.model_mapping ?? '',
        system_prompt: channel.system_prompt ?? '',
        priority: channel.priority ?? 0,
        weight: channel.weight ?? 0,
        max_concurrency: channel.max_concurrency ?? 0,
        rpm: channel.rpm ?? 0,
        tpm: channel.tpm ?? 0,
      });
    } else {
      const openai = getChannelType(ChannelType.OpenAI);
      form.setFieldsValue({ type: ChannelType.OpenAI, name: '', key: '', base_url: '', config: {}, models: openai?.defaultModels ?? [], groups: ['default'], model_mapping: '', priority: 0, weight: 0, max_concurrency: 0, rpm: 0, tpm: 0 });
    }
  }, [open, channel, form]);

  const typeOptions = useMemo(
    () => CHANNEL_TYPES.filter((c) => c.implemented || c.id === channel?.type).map((c) => ({ value: c.id, label: `${c.name} (${c.id})` })),
    [channel],
  );

  const save = useMutation({
    mutationFn: async (values: ChannelFormValues) => {
      const config = Object.fromEntries(Object.entries(values.config ?? {}).filter(([, v]) => v !== undefined && v !== ''));
      const body: ChannelBody = {
        type: values.type,
        name: values.name.trim(),
        base_url: (values.base_url ?? '').trim().replace(/\/+$/, ''),
        config: JSON.stringify(config),
        models: values.models.join(','),
        group: values.groups.join(','),
        model_mapping: (values.model_mapping ?? '').trim(),
        system_prompt: values.system_prompt ?? '',
        priority: values.priority ?? 0,
        weight: values.weight ?? 0,
        // An emptied number field means no limit.
        max_concurrency: values.max_concurrency ?? 0,
        rpm: values.rpm ?? 0,
        tpm: values.tpm ?? 0,
      };
      const key = (values.key ?? '').trim();
      if (channel) return api.put('/api/channel/', { ...body, id: channel.id, ...(key ? { key } : {}) });
      return api.post('/api/channel/', { ...body, key });
    },
    onSuccess: onSaved,
  });

  const onTypeChange = (id: number) => {
    const next = getChannelType(id);
    if (!editing && next) form.setFieldsValue({ models: next.defaultModels, config: Object.fromEntries(next.configFields.map((f) => [f.name, f.defaultValue])) });
  };

  const renderField = (field: ChannelFormField, name: string | string[]) => {
    const isKey = field.name === 'key';
    const required = field.required && !(isKey && editing);
    const text = channelFieldText(tr, field);
    const input = field.multiline || (isKey && !editing) ? (
      <Input.TextArea autoSize={{ minRows: isKey ? 3 : 2, maxRows: 10 }} placeholder={text.placeholder} />
    ) : field.secret || isKey ? (
      <Input.Password placeholder={editing && isKey ? t('keyKeep') : text.placeholder} autoComplete="off" />
    ) : (
      <Input placeholder={text.placeholder} />
    );
    return (
      <Form.Item
        key={field.name}
        name={name}
        label={text.label}
        extra={isKey && !editing ? `${text.hint ?? ''} ${t('batchHint')}`.trim() : text.hint}
        rules={required ? [{ required: true, whitespace: true, message: t('fieldRequired', { field: text.label }) }] : []}
      >
        {input}
      </Form.Item>
    );
  };

  return (
    <Drawer
      open={open}
      onClose={onClose}
      title={editing ? t('edit', { name: channel.name }) : t('create')}
      size={640}
      destroyOnHidden
      forceRender
      extra={
        <Space>
          <Button onClick={onClose}>{tc('cancel')}</Button>
          <Button type="primary" onClick={() => form.submit()} loading={save.isPending} data-testid="channel-save">{tc('save')}</Button>
        </Space>
      }
    >
      {save.error && <Alert type="error" showIcon title={errorMessage(save.error)} style={{ marginBottom: 16 }} />}
      {type && !type.implemented && <Alert type="warning" showIcon title={t('doesNotRelay')} description={type.notImplementedReason} style={{ marginBottom: 16 }} data-testid="channel-type-not-relayed" />}
      <Form form={form} layout="vertical" onFinish={(values) => save.mutate(values)}>
        <Form.Item name="type" label={t('type')} extra={type ? channelTypeDescription(tr, type) : undefined} rules={[{ required: true }]}>
          <Select showSearch optionFilterProp="label" options={typeOptions} onChange={onTypeChange} />
        </Form.Item>
        {endpoints && (
          <Form.Item label={t('endpoints')} data-testid="channel-type-endpoints">
            {endpoints.length > 0 ? (
              <Space size={[4, 4]} wrap>
                {endpoints.map((path) => (
                  <Tag key={path}>{path}</Tag>
                ))}
              </Space>
            ) : (
              <Typography.Text type="secondary">{t('noEndpoints')}</Typography.Text>
            )}
          </Form.Item>
        )}
        <Form.Item name="name" label={t('name')} rules={[{ required: true, whitespace: true, message: t('nameRequired') }]}>
          <Input />
        </Form.Item>
        {type?.credentialFields.map((f) => renderField(f, f.name))}
        {type?.configFields.map((f) => renderField(f, ['config', f.name]))}
        {/* htmlFor: the label sits on a wrapper item, so point it at the picker for screen readers. */}
        <Form.Item label={t('models')} required htmlFor="models">
          <Form.Item name="models" noStyle rules={[{ required: true, type: 'array', min: 1, message: t('modelsRequired') }]}>
            <Select mode="tags" allowClear tokenSeparators={[',', '\n']} options={(type?.defaultModels ?? []).map((m) => ({ value: m, label: m }))} />
          </Form.Item>
          <Space style={{ marginTop: 8 }}>
            <Button size="small" onClick={() => form.setFieldValue('models', type?.defaultModels ?? [])}>{t('fillDefaults')}</Button>
            <Button size="small" onClick={() => form.setFieldValue('models', [])}>{t('clearModels')}</Button>
          </Space>
        </Form.Item>
        <Form.Item
          name="model_mapping"
          label={t('modelMapping')}
          extra={t('modelMappingHint')}
          rules={[{ validator: (_r, v: string | undefined) => (jsonObjectError(v) ? Promise.reject(new Error(t('jsonInvalid'))) : Promise.resolve()) }]}
        >
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 8 }} placeholder={'{"gpt-3.5-turbo-0301": "gpt-3.5-turbo"}'} style={{ fontFamily: 'monospace' }} />
        </Form.Item>
        <Form.Item name="groups" label={t('groups')} rules={[{ required: true, type: 'array', min: 1, message: t('groupsRequired') }]}>
          <Select mode="tags" loading={groups.isPending} options={(groups.data ?? ['default']).map((g) => ({ value: g, label: g }))} />
        </Form.Item>
        <Row gutter={12}>
          <Col span={12}>
            <Form.Item name="priority" label={t('priority')} extra={t('priorityHint')}>
              <InputNumber precision={0} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="weight" label={t('weight')} extra={t('weightHint')}>
              <InputNumber min={0} precision={0} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
        </Row>
        <Typography.Text strong>{t('capacity')}</Typography.Text>
        <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>{t('capacityHint')}</Typography.Paragraph>
        <Row gutter={12}>
          {CAPACITY_FIELDS.map((f) => (
            <Col span={8} key={f.name}>
              <Form.Item name={f.name} label={t(f.label)} extra={t(f.hint)}>
                <InputNumber min={0} precision={0} placeholder="0" style={{ width: '100%' }} />
              </Form.Item>
            </Col>
          ))}
        </Row>
        <Form.Item name="system_prompt" label={t('systemPrompt')} extra={t('systemPromptHint')}>
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} />
        </Form.Item>
        <Form.Item
          name={['config', 'proxy']}
          label={t('proxy')}
          extra={t('proxyHint')}
          rules={[{ pattern: /^\s*(https?|socks5):\/\/[^\s/]+/i, message: t('proxyInvalid') }]}
        >
          <Input placeholder="http://127.0.0.1:7890" allowClear />
        </Form.Item>
        {editing && <Typography.Text type="secondary">{t('keyKeepHint')}</Typography.Text>}
      </Form>
    </Drawer>
  );
}
