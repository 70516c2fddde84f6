'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, Form, Input, InputNumber, Result, Row, Select, Skeleton, Switch, Tabs, Typography } from 'antd';
import type { Rule } from 'antd/es/form';
import { useTranslations } from 'next-intl';
import { useMemo, useState } from 'react';
import { Role, validateOptionValue } from '@oneapi/domain';
import { api, ApiError } from '@/lib/api-client';
import { errorMessage, queryKeys, useSelf } from '@/lib/hooks';
import { OPTION_SPECS, optionSections, type OptionGroup, type OptionSpec } from '@/lib/options';
import type { OptionEntry } from '@/lib/types';

type FieldValue = string | number | boolean | null | undefined;
type Values = Record<string, FieldValue>;

/** One refused option, from the client's check or the API's `data.errors`. */
interface FieldError {
  key: string;
  code: string;
  message?: string;
  params?: Record<string, string | number>;
}

/** The stored string a form value stands for. */
function toText(spec: OptionSpec, value: FieldValue): string {
  if (spec.kind === 'boolean') return String(!!value);
  return value === null || value === undefined ? '' : String(value);
}

function fromText(spec: OptionSpec, value: string): FieldValue {
  if (spec.kind === 'boolean') return value === 'true';
  if (spec.kind === 'number') return value === '' ? null : Number(value);
  if (spec.kind === 'secret') return '';
  return value;
}

function specOf(key: string): OptionSpec {
  return OPTION_SPECS[key] as OptionSpec;
}

/** The `invalid_options` refusals of a failed batch save, if that is what failed. */
function refusedOptions(err: unknown): FieldError[] {
  if (!(err instanceof ApiError) || err.body?.['code'] !== 'invalid_options') return [];
  const data = err.body['data'] as { errors?: FieldError[] } | null | undefined;
  return Array.isArray(data?.errors) ? data.errors : [];
}

/** One tab of settings: sections of fields, validated together and saved all-or-nothing. */
function OptionTab({ group, stored }: { group: OptionGroup; stored: Map<string, string> }) {
  const t = useTranslations('system');
  const tc = useTranslations('common');
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<Values>();
  const [refusedCount, setRefusedCount] = useState(0);

  const sections = useMemo(() => optionSections(group), [group]);
  const keys = useMemo(() => sections.flatMap(([, k]) => k), [sections]);
  const initial = useMemo<Values>(() => Object.fromEntries(keys.map((key) => [key, fromText(specOf(key), stored.get(key) ?? '')])), [keys, stored]);

  const label = (key: string) => (t.has(`labels.${key}`) ? t(`labels.${key}`) : key);
  const labelList = (list: string | number | undefined) =>
    String(list ?? '')
      .split(',')
      .map((k) => label(k.trim()))
      .join(tc('listSeparator'));
  const errorText = (e: FieldError) => {
    const params = { min: '', max: '', domain: '', choices: '', message: e.message ?? '', ...e.params, keys: labelList(e.params?.['keys']) };
    // An open upper bound reads as "at least".
    const code = e.code === 'out_of_range' && Number(e.params?.['max']) >= Number.MAX_SAFE_INTEGER ? 'below_min' : e.code;
    return t.has(`errors.${code}`) ? t(`errors.${code}`, params) : t('errors.unknown', params);
  };

  /** The same check the API makes (`@oneapi/domain`'s validateOptionValue), before anything is sent. */
  const ruleFor = (key: string): Rule => ({
    validator: async (_rule, value: FieldValue) => {
      const spec = specOf(key);
      if (spec.kind === 'secret' && !value) return;
      const checked = validateOptionValue(key, toText(spec, value));
      if (!checked.ok) throw new Error(errorText({ key, code: checked.code, message: checked.message, params: checked.params }));
    },
  });

  const save = useMutation({
    mutationFn: async (values: Values) => {
      const changed: OptionEntry[] = [];
      for (const key of keys) {
        const spec = specOf(key);
        if (spec.kind === 'secret' && !values[key]) continue; // blank secret = keep the stored one
        const text = toText(spec, values[key]);
        if (spec.kind === 'secret' || text !== (stored.get(key) ?? '')) changed.push({ key, value: text });
      }
      if (changed.length) await api.put('/api/option/batch', { options: changed });
      return changed.length;
    },
    onSuccess: (count) => {
      setRefusedCount(0);
      if (!count) {
        message.info(t('noChanges'));
        return;
      }
      message.success(t('savedCount', { count }));
      void queryClient.invalidateQueries({ queryKey: ['options'] });
      void queryClient.invalidateQueries({ queryKey: queryKeys.status });
    },
    onError: (err) => {
      const refused = refusedOptions(err).filter((e) => keys.includes(e.key));
      setRefusedCount(refused.length);
      if (!refused.length) return;
      form.setFields(refused.map((e) => ({ name: e.key, errors: [errorText(e)] })));
      const [first] = refused;
      if (first) form.scrollToField(first.key, { block: 'center' });
    },
  });

  const field = (key: string) => {
    const spec = specOf(key);
    const common = { name: key, label: label(key), extra: t.has(`help.${key}`) ? t(`help.${key}`) : undefined, rules: [ruleFor(key)] };
    switch (spec.kind) {
      case 'boolean':
        return (
          <Col xs={24} sm={12} lg={8} key={key}>
            <Form.Item {...common} valuePropName="checked"><Switch /></Form.Item>
          </Col>
        );
      case 'number':
        return (
          <Col xs={24} sm={12} lg={8} key={key}>
            <Form.Item {...common}><InputNumber style={{ width: '100%' }} /></Form.Item>
          </Col>
        );
      case 'secret':
        return (
          <Col xs={24} sm={12} lg={8} key={key}>
            <Form.Item {...common} extra={`${common.extra ?? ''} ${t('secretHint')}`.trim()}><Input.Password autoComplete="new-password" /></Form.Item>
          </Col>
        );
      case 'json':
        return (
          <Col span={24} key={key}>
            <Form.Item {...common}><Input.TextArea autoSize={{ minRows: 4, maxRows: 16 }} style={{ fontFamily: 'monospace' }} /></Form.Item>
          </Col>
        );
      case 'longtext':
        return (
          <Col span={24} key={key}>
            <Form.Item {...common}><Input.TextArea autoSize={{ minRows: 3, maxRows: 12 }} /></Form.Item>
          </Col>
        );
      default:
        return (
          <Col xs={24} sm={12} lg={8} key={key}>
            <Form.Item {...common}>
              {spec.choices ? (
                <Select options={spec.choices.map((c) => ({ value: c, label: t.has(`choices.${c}`) ? t(`choices.${c}`) : c }))} />
              ) : (
                <Input />
              )}
            </Form.Item>
          </Col>
        );
    }
  };

  return (
    <Form
      form={form}
      layout="vertical"
      initialValues={initial}
      scrollToFirstError={{ block: 'center' }}
      onFinish={(v) => save.mutate(v)}
      onFinishFailed={({ errorFields }) => setRefusedCount(errorFields.length)}
      data-testid={`options-${group}`}
    >
      {sections.map(([section, sectionKeys]) => (
        <section key={section} aria-labelledby={`section-${section}`} style={{ marginBottom: 8 }}>
          <Typography.Title level={2} id={`section-${section}`} style={{ fontSize: 16, marginBottom: 4 }}>
            {t(`sections.${section}.title`)}
          </Typography.Title>
          <Typography.Paragraph type="secondary">{t(`sections.${section}.help`)}</Typography.Paragraph>
          <Row gutter={16}>{sectionKeys.map(field)}</Row>
        </section>
      ))}
      {/* Beside the Save button, so a refusal is never out of sight; each field shows its own reason. */}
      {refusedCount > 0 && <Alert type="error" showIcon title={t('notSaved', { count: refusedCount })} style={{ marginBottom: 12 }} data-testid="options-not-saved" />}
      {save.error && !refusedOptions(save.error).length && <Alert type="error" showIcon title={errorMessage(save.error)} style={{ marginBottom: 12 }} />}
      <Button type="primary" htmlType="submit" loading={save.isPending} data-testid={`options-save-${group}`}>{tc('save')}</Button>
    </Form>
  );
}

/**
 * Root only: the options of `@oneapi/domain`'s registry from `GET /api/option/`, in sections with
 * help text, each tab saved all-or-nothing with `PUT /api/option/batch`.
 */
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
  // Secrets are never listed (they show as empty fields); keys the registry lacks cannot be saved and are not shown.
  const stored = useMemo(() => new Map((options.data ?? []).map((e) => [e.key, e.value ?? ''])), [options.data]);

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
            children: <OptionTab group={group} stored={stored} />,
          }))}
        />
      )}
    </Card>
  );
}
