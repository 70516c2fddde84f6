'use client';
import { EditOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Form, Input, InputNumber, List, Modal, Popconfirm, Select, Space, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { RedemptionStatus } from '@oneapi/domain';
import { KeyboardScrollable } from '@/components/keyboard-scrollable';
import { RedemptionStatusTag } from '@/components/status-tag';
import { api } from '@/lib/api-client';
import { errorMessage, useCopy, useErrorToast, useQuotaFormat } from '@/lib/hooks';
import { downloadText, formatTimestamp, toCsv } from '@/lib/format';
import { usePagedList } from '@/lib/use-paged-list';
import type { Redemption } from '@/lib/types';

interface Batch {
  name: string;
  quota: number;
  keys: string[];
}

export default function RedemptionsPage() {
  const t = useTranslations('redemptions');
  const tc = useTranslations('common');
  const ts = useTranslations('status');
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const copy = useCopy();
  const toastError = useErrorToast();
  const formatQuota = useQuotaFormat();
  const [keyword, setKeyword] = useState('');
  const searching = keyword !== '';
  const [createOpen, setCreateOpen] = useState(false);
  const [batch, setBatch] = useState<Batch | null>(null);
  const [form] = Form.useForm<{ name: string; quota: number; count: number }>();
  const [editForm] = Form.useForm<{ name: string; quota: number; status: number }>();
  const [editing, setEditing] = useState<Redemption | null>(null);
  const [selected, setSelected] = useState<Redemption[]>([]);

  const list = usePagedList<Redemption>('redemptions', '/api/redemption/');
  const search = useQuery({
    queryKey: ['redemptions', 'search', keyword],
    queryFn: ({ signal }) => api.get<Redemption[]>('/api/redemption/search', { keyword }, signal),
    enabled: keyword !== '',
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['redemptions'] });

  const create = useMutation({
    mutationFn: (v: { name: string; quota: number; count: number }) => api.post<string[]>('/api/redemption/', { name: v.name.trim(), quota: v.quota, count: v.count }),
    onSuccess: (keys, v) => {
      setCreateOpen(false);
      setBatch({ name: v.name.trim(), quota: v.quota, keys: keys ?? [] });
      void refresh();
    },
  });
  const setStatus = useMutation({
    mutationFn: (r: Redemption) => api.put('/api/redemption/', { id: r.id, status: r.status === RedemptionStatus.Enabled ? RedemptionStatus.Disabled : RedemptionStatus.Enabled }, { status_only: 1 }),
    onSuccess: () => void refresh(),
    onError: toastError,
  });
  const edit = useMutation({
    mutationFn: (v: { name: string; quota: number; status: number }) => api.put('/api/redemption/', { id: editing?.id, name: v.name.trim(), quota: v.quota, status: v.status }),
    onSuccess: () => {
      setEditing(null);
      message.success(tc('saved'));
      void refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (id: number) => api.delete(`/api/redemption/${id}`),
    onSuccess: () => {
      message.success(tc('deleted'));
      void refresh();
    },
    onError: toastError,
  });

  const exportCsv = (b: Batch) =>
    downloadText(toCsv(['name', 'key', 'quota'], b.keys.map((k) => [b.name, k, b.quota])), `redemptions-${b.name || 'batch'}-${Date.now()}.csv`, 'text/csv;charset=utf-8');

  /** CSV of codes already loaded (the selection, else the shown page or search), at any time. */
  const exportRows = (rows: Redemption[]) =>
    downloadText(
      toCsv(['id', 'name', 'key', 'quota', 'status', 'created_time', 'redeemed_time'], rows.map((r) => [r.id, r.name, r.key, r.quota, r.status, r.created_time, r.redeemed_time])),
      `redemptions-${Date.now()}.csv`,
      'text/csv;charset=utf-8',
    );
  const statusOptions = [RedemptionStatus.Enabled, RedemptionStatus.Disabled].map((value) => ({ value, label: ts(value === RedemptionStatus.Enabled ? 'enabled' : 'disabled') }));

  const columns: ColumnsType<Redemption> = [
    { title: 'ID', dataIndex: 'id', width: 64 },
    { title: t('name'), dataIndex: 'name' },
    { title: t('status'), dataIndex: 'status', render: (v: number) => <RedemptionStatusTag status={v} /> },
    { title: t('quota'), dataIndex: 'quota', render: (v: number) => formatQuota(v) },
    { title: t('created'), dataIndex: 'created_time', render: formatTimestamp, responsive: ['md'] },
    { title: t('redeemed'), dataIndex: 'redeemed_time', render: (v: number) => formatTimestamp(v) || '-', responsive: ['lg'] },
    {
      title: tc('actions'),
      key: 'actions',
      render: (_, r) => (
        <Space wrap size="small">
          <Button size="small" onClick={() => void copy(r.key)}>{t('copy')}</Button>
          <Button
            size="small"
            icon={<EditOutlined />}
            aria-label={t('editOf', { name: r.name })}
            disabled={r.status === RedemptionStatus.Used}
            onClick={() => {
              edit.reset();
              editForm.setFieldsValue({ name: r.name, quota: r.quota, status: r.status });
              setEditing(r);
            }}
          />
          <Button size="small" disabled={r.status === RedemptionStatus.Used} onClick={() => setStatus.mutate(r)}>
            {r.status === RedemptionStatus.Enabled ? tc('disable') : tc('enable')}
          </Button>
          <Popconfirm title={t('confirmDelete', { name: r.name })} onConfirm={() => remove.mutate(r.id)}>
            <Button size="small" danger>{tc('delete')}</Button>
          </Popconfirm>
        </Space>
      ),
    },
  ];

  const source = searching ? search : list;
  return (
    <Card title={t('title')} extra={<Button type="primary" icon={<PlusOutlined />} onClick={() => { form.resetFields(); create.reset(); setCreateOpen(true); }}>{t('create')}</Button>}>
      <Space wrap style={{ marginBottom: 16 }}>
        <Input.Search allowClear aria-label={t('search')} placeholder={t('search')} onSearch={(v) => setKeyword(v.trim())} style={{ width: 320 }} />
        <Button data-testid="redemption-export" onClick={() => exportRows(selected.length ? selected : searching ? (search.data ?? []) : list.items)}>
          {selected.length ? t('exportSelected', { count: selected.length }) : t('exportShown')}
        </Button>
      </Space>
      {source.error && <Alert type="error" showIcon title={source.error.message} style={{ marginBottom: 16 }} />}
      <KeyboardScrollable label={t('title')}>
      <Table<Redemption>
        rowKey="id"
        // No select-all box: the table's hidden measuring row would copy it (focusable inside aria-hidden).
        rowSelection={{ selectedRowKeys: selected.map((r) => r.id), onChange: (_, rows) => setSelected(rows), preserveSelectedRowKeys: true, hideSelectAll: true }}
        size="middle"
        scroll={{ x: 'max-content' }}
        columns={columns}
        loading={source.isFetching}
        dataSource={searching ? (search.data ?? []) : list.items}
        pagination={searching ? { pageSize: 10 } : list.pagination}
      />
      </KeyboardScrollable>
      <Modal open={createOpen} title={t('create')} onCancel={() => setCreateOpen(false)} onOk={() => form.submit()} confirmLoading={create.isPending} forceRender>
        {create.error && <Alert type="error" showIcon title={errorMessage(create.error)} style={{ marginBottom: 16 }} />}
        <Form form={form} layout="vertical" initialValues={{ name: '', quota: 500000, count: 1 }} onFinish={(v) => create.mutate(v)}>
          <Form.Item name="name" label={t('name')} rules={[{ required: true, whitespace: true, message: t('nameRequired') }, { max: 20 }]}>
            <Input />
          </Form.Item>
          <Form.Item name="quota" label={t('quota')} rules={[{ required: true, type: 'integer', min: 1, message: t('quotaInvalid') }]}>
            <InputNumber min={1} precision={0} style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="count" label={t('count')} rules={[{ required: true, type: 'integer', min: 1, max: 100, message: t('countInvalid') }]}>
            <InputNumber min={1} max={100} precision={0} style={{ width: '100%' }} />
          </Form.Item>
        </Form>
      </Modal>
      <Modal open={editing !== null} title={t('editTitle', { name: editing?.name ?? '' })} onCancel={() => setEditing(null)} onOk={() => editForm.submit()} confirmLoading={edit.isPending} forceRender>
        {edit.error && <Alert type="error" showIcon title={errorMessage(edit.error)} style={{ marginBottom: 16 }} />}
        <Form form={editForm} name="redemption-edit" layout="vertical" onFinish={(v) => edit.mutate(v)}>
          <Form.Item name="name" label={t('name')} rules={[{ required: true, whitespace: true, message: t('nameRequired') }, { max: 20 }]}>
            <Input />
          </Form.Item>
          <Form.Item name="quota" label={t('quota')} rules={[{ required: true, type: 'integer', min: 1, message: t('quotaInvalid') }]}>
            <InputNumber min={1} precision={0} style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="status" label={t('status')}>
            <Select options={statusOptions} />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={!!batch}
        title={t('createdTitle', { count: batch?.keys.length ?? 0 })}
        onCancel={() => setBatch(null)}
        footer={
          batch && (
            <Space>
              <Button onClick={() => void copy(batch.keys.join('\n'))}>{t('copyAll')}</Button>
              <Button type="primary" onClick={() => exportCsv(batch)}>{t('exportCsv')}</Button>
            </Space>
          )
        }
      >
        <List size="small" dataSource={batch?.keys ?? []} renderItem={(k) => <List.Item><Typography.Text code copyable>{k}</Typography.Text></List.Item>} style={{ maxHeight: 360, overflow: 'auto' }} />
      </Modal>
    </Card>
  );
}
