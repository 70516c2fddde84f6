'use client';
import { useQuery } from '@tanstack/react-query';
import { Alert, Card, Col, Empty, Row, Skeleton, Statistic } from 'antd';
import { useTranslations } from 'next-intl';
import { useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { api } from '@/lib/api-client';
import { useMoney, useSelf } from '@/lib/hooks';
import type { DashboardRow } from '@/lib/types';

const COLORS = ['#1f5fe0', '#00b5d8', '#6c63ff', '#05cd99', '#ffb547', '#ff5e7d', '#41b883', '#7983ff', '#ff8f6b', '#49beff'];

/** The last 7 calendar days (local time) as YYYY-MM-DD, oldest first. */
function lastSevenDays(): string[] {
  const days: string[] = [];
  const now = new Date();
  for (let i = 6; i >= 0; i--) {
    const d = new Date(now.getFullYear(), now.getMonth(), now.getDate() - i);
    days.push(`${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`);
  }
  return days;
}

export default function DashboardPage() {
  const t = useTranslations('dashboard');
  const money = useMoney();
  const self = useSelf();
  const usage = useQuery({
    queryKey: ['user', 'dashboard'],
    queryFn: ({ signal }) => api.get<DashboardRow[] | null>('/api/user/dashboard', undefined, signal),
  });

  const { daily, byModel, models } = useMemo(() => {
    const rows = usage.data ?? [];
    const days = lastSevenDays();
    const modelNames = [...new Set(rows.map((r) => r.ModelName))].sort();
    const dailyMap = new Map(days.map((day) => [day, { day, requests: 0, quota: 0, tokens: 0 }]));
    const modelMap = new Map(days.map((day) => [day, Object.fromEntries([['day', day], ...modelNames.map((m) => [m, 0])]) as Record<string, string | number>]));
    for (const row of rows) {
      const d = dailyMap.get(row.Day);
      if (d) {
        d.requests += row.RequestCount;
        d.quota += row.Quota;
        d.tokens += row.PromptTokens + row.CompletionTokens;
      }
      const m = modelMap.get(row.Day);
      if (m) m[row.ModelName] = Number(m[row.ModelName] ?? 0) + row.PromptTokens + row.CompletionTokens;
    }
    // Summed in quota, converted once per day: the chart agrees with the statistics above it.
    const dailyValues = [...dailyMap.values()].map((d) => ({ ...d, quota: money.quotaValue(d.quota), quotaText: money.quota(d.quota) }));
    return { daily: dailyValues, byModel: [...modelMap.values()], models: modelNames };
  }, [usage.data, money]);

  const user = self.data;
  return (
    <Row gutter={[16, 16]}>
      <Col span={24}>
        {self.isPending ? (
          <Skeleton active />
        ) : user ? (
          <Row gutter={[16, 16]}>
            <Col xs={24} sm={8}>
              <Card><Statistic title={t('quotaLeft')} value={money.quota(user.quota)} data-testid="stat-quota" /></Card>
            </Col>
            <Col xs={24} sm={8}>
              <Card><Statistic title={t('quotaUsed')} value={money.quota(user.used_quota)} data-testid="stat-used" /></Card>
            </Col>
            <Col xs={24} sm={8}>
              <Card><Statistic title={t('requests')} value={user.request_count} /></Card>
            </Col>
          </Row>
        ) : null}
      </Col>
      {usage.error && (
        <Col span={24}>
          <Alert type="error" showIcon title={t('loadFailed')} description={usage.error.message} />
        </Col>
      )}
      <Col xs={24} lg={12}>
        <Card title={t('perDay')} loading={usage.isPending}>
          <ResponsiveContainer width="100%" height={260}>
            <LineChart data={daily}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="day" tick={{ fontSize: 12 }} />
              <YAxis yAxisId="left" tick={{ fontSize: 12 }} />
              <YAxis yAxisId="right" orientation="right" tick={{ fontSize: 12 }} />
              <Tooltip formatter={(value, _name, item) => (item.dataKey === 'quota' ? (item.payload as { quotaText: string }).quotaText : value)} />
              <Legend />
              <Line yAxisId="left" type="monotone" dataKey="requests" name={t('requests')} stroke={COLORS[0]} dot={false} />
              <Line yAxisId="right" type="monotone" dataKey="quota" name={t('quota')} stroke={COLORS[1]} dot={false} />
            </LineChart>
          </ResponsiveContainer>
        </Card>
      </Col>
      <Col xs={24} lg={12}>
        <Card title={t('perModel')} loading={usage.isPending}>
          {models.length === 0 ? (
            <Empty description={t('noUsage')} />
          ) : (
            <ResponsiveContainer width="100%" height={260}>
              <BarChart data={byModel}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} />
                <XAxis dataKey="day" tick={{ fontSize: 12 }} />
                <YAxis tick={{ fontSize: 12 }} />
                <Tooltip />
                <Legend />
                {models.map((model, i) => (
                  <Bar key={model} dataKey={model} stackId="tokens" fill={COLORS[i % COLORS.length]} />
                ))}
              </BarChart>
            </ResponsiveContainer>
          )}
        </Card>
      </Col>
    </Row>
  );
}
