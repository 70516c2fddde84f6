'use client';
import { useQuery } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, DatePicker, Descriptions, Drawer, Form, Input, InputNumber, Row, Segmented, Select, Space, Statistic, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslations } from 'next-intl';
import { useMemo, useState } from 'react';
import { LogType, Role } from '@oneapi/domain';
import { LogTypeTag } from '@/components/status-tag';
import { api, type QueryValue } from '@/lib/api-client';
import { useMoneyDisplay, useQuotaFormat, useSelf } from '@/lib/hooks';
import { parseLogContent } from '@/lib/log-content';
import { formatTimestamp } from '@/lib/format';
import { usePagedList } from '@/lib/use-paged-list';
import type { LogEntry, LogStat } from '@/lib/types';

interface LogFilters {
  type: number;
  model_name?: string;
  token_name?: string;
  username?: string;
  channel?: number | null;
  range?: [Dayjs | null, Dayjs | null] | null;
}

/**
 * Usage logs. Users see theirs (`/api/log/self`); admins may switch to everyone's (`/api/log/`)
 * with user and channel filters. Totals come from the matching `stat` endpoint.
 */
export default function LogsPage() {
  const t = useTranslations('logs');
  const tt = useTranslations('logType');
  const { message } = App.useApp();
  const formatQuota = useQuotaFormat();
  const money = useMoneyDisplay();
  /** The row's sentence in the reader's language when the console knows it, else as the service wrote it. */
  const content = (text: string) => {
    const sentence = parseLogContent(text, money);
    return sentence && t.has(`content.${sentence.key}`) ? t(`content.${sentence.key}`, sentence.values) : text;
  };
  const { data: self } = useSelf();
  const isAdmin = (self?.role ?? 0) >= Role.Admin;
  const [scope, setScope] = useState<'self' | 'all'>('self');
  const all = isAdmin && scope === 'all';
  const [form] = Form.useForm<LogFilters>();
  const [shown, setShown] = useState<LogEntry | null>(null);
  const [filters, setFilters] = useState<LogFilters>({ type: LogType.Unknown, range: [dayjs().subtract(7, 'day').startOf('day'), null] });

  const query = useMemo<Record<string, QueryValue>>(() => {
    const q: Record<string, QueryValue> = {
      type: filters.type || undefined,
      model_name: filters.model_name?.trim(),
      token_name: filters.token_name?.trim(),
      start_timestamp: filters.range?.[0]?.unix(),
      end_timestamp: filters.range?.[1]?.unix(),
    };
    if (all) Object.assign(q, { username: filters.username?.trim(), channel: filters.channel ?? undefined });
    return q;
  }, [filters, all]);

  const list = usePagedList<LogEntry>('logs', all ? '/api/log/' : '/api/log/self', query, 20);
  const stat = useQuery({
    queryKey: ['logs', 'stat', all, query],
    queryFn: ({ signal }) => api.get<LogStat>(all ? '/api/log/stat' : '/api/log/self/stat', query, signal),
  });

  const columns: ColumnsType<LogEntry> = [
    {
      title: t('time'),
      dataIndex: 'created_at',
      render: (v: number, log) => (
        <Typography.Text
          className="copyable"
          title={log.request_id}
          // A button for keyboards too: it copies the request id (and makes the scrolling table reachable by Tab).
          role="button"
          tabIndex={0}
          onClick={() => log.request_id && void navigator.clipboard?.writeText(log.request_id).then(() => message.success(t('requestIdCopied')))}
          onKeyDown={(e) => {
            if ((e.key === 'Enter' || e.key === ' ') && log.request_id) void navigator.clipboard?.writeText(log.request_id).then(() => message.success(t('requestIdCopied')));
          }}
        >
          {formatTimestamp(v)}
        </Typography.Text>
      ),
    },
    ...(all
      ? ([
          { title: t('channel'), key: 'channel', render: (_: unknown, log: LogEntry) => log.channel ?? '' },
          { title: t('user'), dataIndex: 'username' },
        ] as ColumnsType<LogEntry>)
      : []),
    { title: t('token'), dataIndex: 'token_name', responsive: ['md'] },
    { title: t('type'), dataIndex: 'type', render: (v: number) => <LogTypeTag type={v} /> },
    { title: t('model'), dataIndex: 'model_name' },
    { title: t('prompt'), dataIndex: 'prompt_tokens', render: (v: number) => v || '', responsive: ['sm'] },
    { title: t('completion'), dataIndex: 'completion_tokens', render: (v: number) => v || '', responsive: ['sm'] },
    { title: t('quota'), dataIndex: 'quota', render: (v: number) => (v ? formatQuota(v) : '') },
    {
      title: t('detail'),
      key: 'detail',
      responsive: ['lg'],
      render: (_, log) => (
        <Space size={4} wrap>
          <span>{content(log.content)}</span>
          {log.elapsed_time ? <Tag>{log.elapsed_time} ms</Tag> : null}
          {log.is_stream ? <Tag color="magenta">{t('stream')}</Tag> : null}
          {log.system_prompt_reset ? <Tag color="purple">{t('systemPromptReset')}</Tag> : null}
        </Space>
      ),
    },
    {
      title: t('more'),
      key: 'more',
      // No space between two CJK characters: the accessible name must contain the visible text.
      render: (_, log) => (
        <Button size="small" autoInsertSpace={false} data-testid="log-detail-open" aria-label={t('openDetail', { id: log.id })} onClick={() => setShown(log)}>
          {t('view')}
        </Button>
      ),
    },
  ];

  const yesNo = (v: boolean) => (v ? t('yes') : t('no'));

  const typeOptions = [LogType.Unknown, LogType.Topup, LogType.Consume, LogType.Manage, LogType.System, LogType.Test].map((value) => ({
    value,
    label: value === LogType.Unknown ? tt('all') : tt((LogType[value] as string).toLowerCase()),
  }));

  return (
    <Card
      title={t('title')}
      extra={isAdmin ? <Segmented aria-label={t('scope')} value={scope} onChange={(v) => setScope(v as 'self' | 'all')} options={[{ value: 'self', label: t('mine') }, { value: 'all', label: t('everyone') }]} /> : null}
    >
      <Form form={form} layout="vertical" initialValues={filters} onFinish={(values) => { setFilters(values); list.resetPage(); }}>
        <Row gutter={12}>
          <Col xs={12} md={4}><Form.Item name="type" label={t('type')}><Select options={typeOptions} /></Form.Item></Col>
          <Col xs={12} md={5}><Form.Item name="model_name" label={t('model')}><Input allowClear /></Form.Item></Col>
          <Col xs={12} md={5}><Form.Item name="token_name" label={t('token')}><Input allowClear /></Form.Item></Col>
          {all && <Col xs={12} md={5}><Form.Item name="username" label={t('user')}><Input allowClear /></Form.Item></Col>}
          {all && <Col xs={12} md={5}><Form.Item name="channel" label={t('channelId')}><InputNumber min={1} precision={0} style={{ width: '100%' }} /></Form.Item></Col>}
          <Col xs={24} md={9}><Form.Item name="range" label={t('range')}><DatePicker.RangePicker showTime allowEmpty={[true, true]} style={{ width: '100%' }} /></Form.Item></Col>
          <Col xs={24} md={4}><Form.Item label=" "><Button type="primary" htmlType="submit" block>{t('query')}</Button></Form.Item></Col>
        </Row>
      </Form>
      <Row gutter={16} style={{ marginBottom: 16 }}>
        <Col><Statistic title={t('totalQuota')} value={stat.data ? formatQuota(stat.data.quota) : '-'} loading={stat.isPending} /></Col>
        {stat.data?.token !== undefined && <Col><Statistic title={t('totalTokens')} value={stat.data.token} /></Col>}
      </Row>
      {(list.error || stat.error) && <Alert type="error" showIcon title={(list.error ?? stat.error)?.message} style={{ marginBottom: 16 }} />}
      <Table<LogEntry> rowKey="id" size="small" scroll={{ x: 'max-content' }} columns={columns} loading={list.isFetching} dataSource={list.items} pagination={list.pagination} />
      <Drawer open={shown !== null} onClose={() => setShown(null)} title={shown ? t('detailTitle', { id: shown.id }) : ''} width={520} destroyOnHidden>
        {shown && (
          // Every field of the row, the raw content included (the table shows it translated and shortened).
          <Descriptions column={1} size="small" bordered data-testid="log-detail">
            <Descriptions.Item label="ID">{shown.id}</Descriptions.Item>
            <Descriptions.Item label={t('time')}>{formatTimestamp(shown.created_at)}</Descriptions.Item>
            <Descriptions.Item label={t('type')}><LogTypeTag type={shown.type} /></Descriptions.Item>
            <Descriptions.Item label={t('user')}>{shown.username} (#{shown.user_id})</Descriptions.Item>
            <Descriptions.Item label={t('token')}>{shown.token_name}</Descriptions.Item>
            <Descriptions.Item label={t('model')}>{shown.model_name}</Descriptions.Item>
            <Descriptions.Item label={t('prompt')}>{shown.prompt_tokens}</Descriptions.Item>
            <Descriptions.Item label={t('completion')}>{shown.completion_tokens}</Descriptions.Item>
            <Descriptions.Item label={t('quota')}>{formatQuota(shown.quota)} ({shown.quota})</Descriptions.Item>
            {shown.channel !== undefined && <Descriptions.Item label={t('channel')}>{shown.channel}</Descriptions.Item>}
            <Descriptions.Item label={t('requestId')}><Typography.Text copyable code>{shown.request_id}</Typography.Text></Descriptions.Item>
            <Descriptions.Item label={t('elapsed')}>{t('ms', { ms: shown.elapsed_time })}</Descriptions.Item>
            <Descriptions.Item label={t('stream')}>{yesNo(shown.is_stream)}</Descriptions.Item>
            <Descriptions.Item label={t('systemPromptReset')}><span data-testid="log-detail-system-prompt-reset">{yesNo(shown.system_prompt_reset)}</span></Descriptions.Item>
            <Descriptions.Item label={t('contentField')}>{content(shown.content)}</Descriptions.Item>
          </Descriptions>
        )}
      </Drawer>
    </Card>
  );
}
