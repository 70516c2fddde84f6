'use client';
import { useQuery } from '@tanstack/react-query';
import { Alert, Card, Input, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { api } from '@/lib/api-client';
import { useMoney } from '@/lib/hooks';
import type { PricedModel } from '@/lib/priced-model';

export default function ModelsPage() {
  const t = useTranslations('models');
  const money = useMoney();
  const [filter, setFilter] = useState('');
  const models = useQuery({ queryKey: ['user-models'], queryFn: ({ signal }) => api.get<PricedModel[]>('/api/user/models', undefined, signal) });
  const rows = (models.data ?? []).filter((m) => m.model.toLowerCase().includes(filter.toLowerCase()));

  const columns: ColumnsType<PricedModel> = [
    { title: t('model'), dataIndex: 'model', sorter: (a, b) => a.model.localeCompare(b.model), render: (v: string) => <Typography.Text copyable code>{v}</Typography.Text> },
    {
      title: t('inputPrice'),
      dataIndex: 'input_quota_per_1m',
      sorter: (a, b) => a.input_quota_per_1m - b.input_quota_per_1m,
      render: (v: number) => <span data-testid="input-price">{money.quota(v)}</span>,
    },
    {
      title: t('outputPrice'),
      dataIndex: 'output_quota_per_1m',
      sorter: (a, b) => a.output_quota_per_1m - b.output_quota_per_1m,
      render: (v: number) => <span data-testid="output-price">{money.quota(v)}</span>,
    },
    {
      title: t('endpoints'),
      dataIndex: 'endpoints',
      responsive: ['md'],
      render: (v: string[]) => (
        <Space size={4} wrap>
          {v.map((e) => <Tag key={e}>{e}</Tag>)}
        </Space>
      ),
    },
  ];

  return (
    <Card title={t('title')}>
      <Typography.Paragraph type="secondary">{t('intro', { ratio: models.data?.[0]?.group_ratio ?? 1 })}</Typography.Paragraph>
      <Input.Search allowClear aria-label={t('filter')} placeholder={t('filter')} onChange={(e) => setFilter(e.target.value.trim())} style={{ width: 280, marginBottom: 16 }} />
      {models.error && <Alert type="error" showIcon title={models.error.message} style={{ marginBottom: 16 }} />}
      <Table<PricedModel> rowKey="model" size="small" scroll={{ x: 'max-content' }} columns={columns} loading={models.isFetching} dataSource={rows} pagination={{ pageSize: 50, hideOnSinglePage: true }} />
    </Card>
  );
}
