'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, Form, Input, InputNumber, Result, Row, Skeleton, Switch, Tabs } from 'antd';
import { useTranslations } from 'next-intl';
import { useMemo } from 'react';
import { Role } from '@oneapi/domain';
import { api } from '@/lib/api-client';
import { errorMessage, queryKeys, useSelf } from '@/lib/hooks';
import { jsonObjectError } from '@/lib/format';
import { OPTION_SPECS, type OptionGroup, optionSpec } from '@/lib/options';
import type { OptionEntry } from '@/lib/types';

type Values = Record<string, string | number | boolean | null | undefined>;

function OptionSection({ group, entries }: { group: OptionGroup; entries: OptionEntry[] }) {
  const t = useTranslations('system');
  const tc = useTranslations('common');
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<Values>();

  const initial = useMemo<Values>(() => {
    const values: Values = {};
    for (const { key, value } of entries) {
      const { kind } = optionSpec(key, value);
      values[key] = kind === 'boolean' ? value === 'true' : kind === 'number' ? (value === '' ? null : Number(value)) : kind === 'secret' ? '' : value;
    }
    return values;
  }, [entries]);

  const save = useMutation({
    mutationFn: async (values: Values) => {
      const changed: OptionEntry[] = [];
      for (const { key, value } of entries) {
        const { kind } = optionSpec(key, value);
        const next = values[key];
        if (kind === 'secret' && !next) continue; // blank secret = keep the stored one
        const text = kind === 'boolean' ? String(!!next) : next === null || next === undefined ? '' : String(next);
        if (text !== value || kind === 'secret') changed.push({ key, value: text });
      }
      // Switches turned on go last: the API refuses e.g. GitHubOAuthEnabled before the client id and
      // secret are stored, and those may be saved in the same submit.
      const order = (e: OptionEntry) => (optionSpec(e.key, e.value).kind === 'boolean' && e.value === 'true' ? 1 : 0);
      changed.sort((a, b) => order(a) - order(b));
      for (const entry of changed) await api.put('/api/option/', entry);
      return changed.length;
    },
    onSuccess: (count) => {
      message.success(t('savedCount', { count }));
      void queryClient.invalidateQueries({ queryKey: ['options'] });
      void queryClient.invalidateQueries({ queryKey: queryKeys.status });
    },
  });

  const field = ({ key, value }: OptionEntry) => {
    const { kind } = optionSpec(key, value);
    const label = t.has(`labels.${key}`) ? t(`labels.${key}`) : key;
    switch (kind) {
      case 'boolean':
        return (
          <Col xs={24} sm={12} lg={8} key={key}>
            <Form.Item name={key} label={label} valuePropName="checked"><Switch /></Form.Item>
          </Col>
        );
      case 'number':
        return (
          <Col xs={24} sm={12} lg={8} key={key}>
            <Form.Item name={key} label={label} rules={[{ type: 'number', message: t('numberInvalid') }]}><InputNumber style={{ width: '100%' }} /></Form.Item>
          </Col>
        );
      case 'secret':
        return (
          <Col xs={24} sm={12} lg={8} key={key}>
            <Form.Item name={key} label={label} extra={t('secretHint')}><Input.Password autoComplete="new-password" /></Form.Item>
          </Col>
        );
      case 'json':
        return (
          <Col span={24} key={key}>
            <Form.Item
              name={key}
              label={label}
              rules={[{ validator: (_r, v: string | undefined) => { const err = jsonObjectError(v, false); return err ? Promise.reject(new Error(t('jsonInvalid', { error: err }))) : Promise.resolve(); } }]}
            >
              <Input.TextArea autoSize={{ minRows: 4, maxRows: 16 }} style={{ fontFamily: 'monospace' }} />
            </Form.Item>
          </Col>
        );
      case 'longtext':
        return (
          <Col span={24} key={key}>
            <Form.Item name={key} label={label} extra={t.has(`hints.${key}`) ? t(`hints.${key}`) : undefined}><Input.TextArea autoSize={{ minRows: 3, maxRows: 12 }} /></Form.Item>
          </Col>
        );
      default:
        return (
          <Col xs={24} sm={12} lg={8} key={key}>
            <Form.Item name={key} label={label}><Input /></Form.Item>
          </Col>
        );
    }
  };

  return (
    <Form form={form} layout="vertical" initialValues={initial} onFinish={(v) => save.mutate(v)} key={group}>
      {save.error && <Alert type="error" showIcon title={errorMessage(save.error)} style={{ marginBottom: 16 }} />}
      <Row gutter={16}>{entries.map(field)}</Row>
      <Button type="primary" htmlType="submit" loading={save.isPending}>{tc('save')}</Button>
    </Form>
  );
}

/** Root only: every option from `GET /api/option/`, saved with `PUT /api/option/ {key, value}`. */
export default function SystemSettingsPage() {
  const t = useTranslations('system');
  const tc = useTranslations('common');
  const { data: self } = useSelf();
  const isRoot = (self?.role ?? 0) >= Role.Root;
  const options = useQuery({
    queryKey: ['options'],
    queryFn: ({ signal }) => api.get<OptionEntry[]>('/api/option/', undefined, signal),
    enabled: isRoot,
  });
  const grouped = useMemo(() => {
    const groups: Record<OptionGroup, OptionEntry[]> = { operation: [], system: [], other: [] };
    for (const entry of options.data ?? []) groups[optionSpec(entry.key, entry.value).group].push({ key: entry.key, value: entry.value ?? '' });
    // The API never lists secrets (One API filters keys ending in Token/Secret), so the known ones
    // are added as empty fields: without them GitHub, WeChat, Turnstile and SMTP cannot be set up.
    const listed = new Set((options.data ?? []).map((e) => e.key));
    for (const [key, spec] of Object.entries(OPTION_SPECS)) if (spec.kind === 'secret' && !listed.has(key)) groups[spec.group].push({ key, value: '' });
    return groups;
  }, [options.data]);

  if (!isRoot) return <Result status="403" title="403" subTitle={tc('forbidden')} />;
  return (
    <Card title={t('title')}>
      {options.isPending ? (
        <Skeleton active paragraph={{ rows: 10 }} />
      ) : options.error ? (
        <Alert type="error" showIcon title={options.error.message} />
      ) : (
        <Tabs
          items={(['operation', 'system', 'other'] as const).map((group) => ({
            key: group,
            label: t(`groups.${group}`),
            children: <OptionSection group={group} entries={grouped[group]} />,
          }))}
        />
      )}
    </Card>
  );
}
