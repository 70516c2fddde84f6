'use client';
import { DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Input, InputNumber, Popconfirm, Progress, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { ChannelStatus, getChannelType } from '@oneapi/domain';
import { ChannelStatusTag, ResponseTimeTag } from '@/components/status-tag';
import { api, apiRequest } from '@/lib/api-client';
import { useErrorToast, useMoney } from '@/lib/hooks';
import { formatTimestamp, splitList } from '@/lib/format';
import { usePagedList } from '@/lib/use-paged-list';
import type { Channel } from '@/lib/types';
import { ChannelFormDrawer } from './channel-form-drawer';

interface RunState {
  running: boolean;
  done?: number;
  total?: number;
  last?: { success: boolean; message: string; total: number; succeeded: number; failed: number };
}
interface JobsState {
  test_all: RunState;
  update_balance_all: RunState;
}

/** Client-side ordering of the loaded page, as One API's channel table sorts. */
const byNumber = (key: keyof Channel) => (a: Channel, b: Channel) => Number(a[key] ?? 0) - Number(b[key] ?? 0);
const byText = (key: keyof Channel) => (a: Channel, b: Channel) => String(a[key] ?? '').localeCompare(String(b[key] ?? ''));

export default function ChannelsPage() {
  const t = useTranslations('channels');
  const tc = useTranslations('common');
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const toastError = useErrorToast();
  const money = useMoney();
  const [keyword, setKeyword] = useState('');
  const [editing, setEditing] = useState<Channel | null>(null);
  const [formOpen, setFormOpen] = useState(false);
  // The model each row's Test button uses; none chosen means the channel's first model.
  const [testModel, setTestModel] = useState<Record<number, string>>({});
  const [watchJobs, setWatchJobs] = useState(false);
  const jobs = useQuery({
    queryKey: ['channel-jobs'],
    queryFn: ({ signal }) => api.get<JobsState>('/api/channel/jobs', undefined, signal),
    // Poll only while a run started here is in progress.
    refetchInterval: (q) => (watchJobs && (q.state.data?.test_all.running ?? true) ? 1000 : false),
  });

  const list = usePagedList<Channel>('channels', '/api/channel/', {}, 20);
  const search = useQuery({
    queryKey: ['channels', 'search', keyword],
    queryFn: ({ signal }) => api.get<Channel[]>('/api/channel/search', { keyword }, signal),
    enabled: keyword !== '',
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['channels'] });
  const done = (text?: string) => {
    if (text) message.success(text);
    void refresh();
  };

  const update = useMutation({
    mutationFn: (body: Partial<Channel> & { id: number }) => api.put('/api/channel/', body),
    onSuccess: () => done(tc('saved')),
    onError: toastError,
  });
  const remove = useMutation({ mutationFn: (id: number) => api.delete(`/api/channel/${id}`), onSuccess: () => done(tc('deleted')), onError: toastError });
  const removeDisabled = useMutation({
    mutationFn: () => api.delete<number>('/api/channel/disabled'),
    onSuccess: (n) => done(t('deletedDisabled', { count: Number(n) || 0 })),
    onError: toastError,
  });
  const test = useMutation({
    mutationFn: (channel: Channel) => {
      const model = testModel[channel.id];
      return apiRequest<unknown>('POST', `/api/channel/test/${channel.id}`, { query: { model: model || undefined } });
    },
    onSuccess: (res, channel) => {
      const time = typeof res['time'] === 'number' ? (res['time'] as number) : undefined;
      done(t('testOkModel', { name: channel.name, model: String(res['model'] ?? ''), time: time !== undefined ? time.toFixed(2) : '?' }));
    },
    onError: (err) => {
      toastError(err);
      void refresh();
    },
  });
  const testAll = useMutation({
    mutationFn: () => apiRequest<unknown>('POST', '/api/channel/test'),
    onSuccess: () => {
      setWatchJobs(true);
      void jobs.refetch();
      done(t('testAllStarted'));
    },
    onError: toastError,
  });
  const testRun = jobs.data?.test_all;
  const balance = useMutation({
    mutationFn: (channel: Channel) => apiRequest<unknown>('POST', `/api/channel/update_balance/${channel.id}`),
    onSuccess: (res, channel) => done(t('balanceOk', { name: channel.name, balance: String(res['balance'] ?? res.data ?? '') })),
    onError: toastError,
  });
  const balanceAll = useMutation({ mutationFn: () => apiRequest<unknown>('POST', '/api/channel/update_balance'), onSuccess: (r) => done(r.message || t('balanceAllStarted')), onError: toastError });

  const columns: ColumnsType<Channel> = [
    { title: 'ID', dataIndex: 'id', width: 64, sorter: byNumber('id') },
    { title: t('name'), dataIndex: 'name', ellipsis: true, sorter: byText('name') },
    {
      title: t('type'),
      dataIndex: 'type',
      responsive: ['sm'],
      sorter: byNumber('type'),
      render: (v: number) => {
        const type = getChannelType(v);
        if (type?.implemented) return type.name;
        // Kept for One API imports (PaLM, unknown ids): say so, and why, where the channel is listed.
        return (
          <Space size={4} wrap>
            {type?.name ?? `#${v}`}
            <Tooltip title={type?.notImplementedReason}>
              <Tag color="warning" data-testid="channel-does-not-relay">{t('doesNotRelay')}</Tag>
            </Tooltip>
          </Space>
        );
      },
    },
    { title: t('status'), dataIndex: 'status', sorter: byNumber('status'), render: (v: number) => <ChannelStatusTag status={v} /> },
    { title: t('groups'), dataIndex: 'group', responsive: ['lg'], render: (v: string) => splitList(v).map((g) => <Tag key={g}>{g}</Tag>) },
    {
      title: t('responseTime'),
      dataIndex: 'response_time',
      sorter: byNumber('response_time'),
      render: (v: number, c) => {
        const when = c.test_time ? t('testedAt', { time: formatTimestamp(c.test_time) }) : t('untested');
        const model = c.test_model ? ` · ${c.test_model}` : '';
        // The last test's outcome stays in the row: its latency, or why it failed.
        if (c.test_time && c.test_error) {
          return (
            <Tooltip title={`${when}${model}: ${c.test_error}`}>
              <span data-testid="channel-test-error">
                <Tag color="error">{t('testFailed')}</Tag>
                <Typography.Text type="danger" style={{ fontSize: 12 }}>{c.test_error.slice(0, 40)}</Typography.Text>
              </span>
            </Tooltip>
          );
        }
        return (
          <Tooltip title={`${when}${model}`}>
            <span><ResponseTimeTag ms={v} /></span>
          </Tooltip>
        );
      },
    },
    {
      title: t('balance'),
      dataIndex: 'balance',
      responsive: ['md'],
      sorter: byNumber('balance'),
      render: (v: number, c) => (
        <Tooltip title={c.balance_updated_time ? formatTimestamp(c.balance_updated_time) : t('clickToUpdate')}>
          <Button size="small" type="link" onClick={() => balance.mutate(c)} loading={balance.isPending && balance.variables?.id === c.id}>
            {money.amount(v ?? 0)}
          </Button>
        </Tooltip>
      ),
    },
    { title: t('usedQuota'), dataIndex: 'used_quota', sorter: byNumber('used_quota'), render: (v: number) => money.quota(v ?? 0), responsive: ['md'] },
    {
      title: t('capacity'),
      key: 'capacity',
      responsive: ['xl'],
      render: (_, c) => {
        const parts = [
          c.max_concurrency > 0 && t('capacityConcurrency', { n: c.max_concurrency }),
          c.rpm > 0 && t('capacityRpm', { n: c.rpm }),
          c.tpm > 0 && t('capacityTpm', { n: c.tpm }),
        ].filter(Boolean);
        return parts.length ? <span data-testid="channel-capacity">{parts.join(' · ')}</span> : <Typography.Text type="secondary">{t('unlimited')}</Typography.Text>;
      },
    },
    {
      title: t('priority'),
      dataIndex: 'priority',
      responsive: ['lg'],
      sorter: byNumber('priority'),
      render: (v: number | null, c) => (
        <InputNumber key={`p${c.id}-${v}`} size="small" precision={0} aria-label={t('priorityOf', { name: c.name })} defaultValue={v ?? 0} style={{ width: 72 }} onBlur={(e) => { const next = Number(e.target.value); if (Number.isInteger(next) && next !== (v ?? 0)) update.mutate({ id: c.id, priority: next }); }} />
      ),
    },
    {
      title: t('weight'),
      dataIndex: 'weight',
      responsive: ['lg'],
      sorter: byNumber('weight'),
      render: (v: number | null, c) => (
        <InputNumber key={`w${c.id}-${v}`} size="small" min={0} precision={0} aria-label={t('weightOf', { name: c.name })} defaultValue={v ?? 0} style={{ width: 72 }} onBlur={(e) => { const next = Number(e.target.value); if (Number.isInteger(next) && next >= 0 && next !== (v ?? 0)) update.mutate({ id: c.id, weight: next }); }} />
      ),
    },
    {
      title: tc('actions'),
      key: 'actions',
      render: (_, c) => (
        <Space wrap size="small">
          <Space.Compact size="small">
            <Select
              size="small"
              style={{ width: 150 }}
              aria-label={t('testModelOf', { name: c.name })}
              // The channel's first model until another is picked: what the test uses by default.
              value={testModel[c.id] || splitList(c.models)[0]}
              options={splitList(c.models).map((m) => ({ value: m, label: m }))}
              onChange={(m: string) => setTestModel((prev) => ({ ...prev, [c.id]: m }))}
            />
            <Button size="small" onClick={() => test.mutate(c)} loading={test.isPending && test.variables?.id === c.id}>{t('test')}</Button>
          </Space.Compact>
          <Button size="small" onClick={() => update.mutate({ id: c.id, status: c.status === ChannelStatus.Enabled ? ChannelStatus.ManuallyDisabled : ChannelStatus.Enabled })}>
            {c.status === ChannelStatus.Enabled ? tc('disable') : tc('enable')}
          </Button>
          <Button size="small" icon={<EditOutlined />} aria-label={tc('edit')} onClick={() => { setEditing(c); setFormOpen(true); }} />
          <Popconfirm title={t('confirmDelete', { name: c.name })} onConfirm={() => remove.mutate(c.id)}>
            <Button size="small" danger icon={<DeleteOutlined />} aria-label={tc('delete')} />
          </Popconfirm>
        </Space>
      ),
    },
  ];

  const searching = keyword !== '';
  const source = searching ? search : list;
  return (
    <Card title={t('title')} extra={<Button type="primary" icon={<PlusOutlined />} onClick={() => { setEditing(null); setFormOpen(true); }}>{t('create')}</Button>}>
      <Space wrap style={{ marginBottom: 16 }}>
        <Input.Search allowClear placeholder={t('search')} onSearch={(v) => setKeyword(v.trim())} style={{ width: 280 }} />
        <Button onClick={() => testAll.mutate()} loading={testAll.isPending}>{t('testAll')}</Button>
        <Button onClick={() => balanceAll.mutate()} loading={balanceAll.isPending}>{t('balanceAll')}</Button>
        <Popconfirm title={t('confirmDeleteDisabled')} onConfirm={() => removeDisabled.mutate()}>
          <Button danger loading={removeDisabled.isPending}>{t('deleteDisabled')}</Button>
        </Popconfirm>
      </Space>
      {watchJobs && testRun && (
        <div role="status" data-testid="test-all-progress" style={{ marginBottom: 16, maxWidth: 480 }}>
          {testRun.running ? (
            <>
              <Typography.Text>{t('testAllProgress', { done: testRun.done ?? 0, total: testRun.total ?? 0 })}</Typography.Text>
              <Progress percent={testRun.total ? Math.round(((testRun.done ?? 0) * 100) / testRun.total) : 0} size="small" />
            </>
          ) : (
            testRun.last && <Typography.Text>{t('testAllDone', { total: testRun.last.total, succeeded: testRun.last.succeeded, failed: testRun.last.failed })}</Typography.Text>
          )}
        </div>
      )}
      {source.error && <Alert type="error" showIcon title={source.error.message} style={{ marginBottom: 16 }} />}
      <Table<Channel>
        rowKey="id"
        size="small"
        scroll={{ x: 'max-content' }}
        columns={columns}
        loading={source.isFetching}
        dataSource={searching ? (search.data ?? []) : list.items}
        pagination={searching ? { pageSize: 20 } : list.pagination}
      />
      <ChannelFormDrawer
        open={formOpen}
        channel={editing}
        onClose={() => setFormOpen(false)}
        onSaved={() => {
          setFormOpen(false);
          done(tc('saved'));
        }}
      />
    </Card>
  );
}
