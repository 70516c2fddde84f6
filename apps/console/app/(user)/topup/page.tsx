'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, Form, Input, Row, Statistic, Typography } from 'antd';
import { useTranslations } from 'next-intl';
import { api } from '@/lib/api-client';
import { errorMessage, queryKeys, useQuotaFormat, useSelf, useStatus } from '@/lib/hooks';

/** Redeem a code (`POST /api/user/topup {key}` → quota added) or follow the operator's top-up link. */
export default function TopUpPage() {
  const t = useTranslations('topup');
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const formatQuota = useQuotaFormat();
  const { data: status } = useStatus();
  const self = useSelf();
  const [form] = Form.useForm<{ key: string }>();
  const redeem = useMutation({
    mutationFn: ({ key }: { key: string }) => api.post<number>('/api/user/topup', { key: key.trim() }),
    onSuccess: (quota) => {
      message.success(t('success', { quota: formatQuota(Number(quota) || 0) }));
      form.resetFields();
      void queryClient.invalidateQueries({ queryKey: queryKeys.self });
    },
  });

  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} md={12}>
        <Card title={t('redeem')}>
          {redeem.error && <Alert type="error" showIcon title={errorMessage(redeem.error)} style={{ marginBottom: 16 }} />}
          <Form form={form} layout="vertical" onFinish={(v) => redeem.mutate(v)}>
            <Form.Item name="key" label={t('code')} rules={[{ required: true, whitespace: true, message: t('codeRequired') }]}>
              <Input placeholder={t('placeholder')} autoComplete="off" />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={redeem.isPending}>{t('submit')}</Button>
            {status?.top_up_link && (
              <Button style={{ marginLeft: 8 }} href={status.top_up_link} target="_blank" rel="noopener noreferrer">
                {t('buy')}
              </Button>
            )}
          </Form>
        </Card>
      </Col>
      <Col xs={24} md={12}>
        <Card title={t('balance')} loading={self.isPending}>
          <Statistic title={t('quotaLeft')} value={self.data ? formatQuota(self.data.quota) : '-'} />
          <Typography.Paragraph type="secondary" style={{ marginTop: 16 }}>{t('hint')}</Typography.Paragraph>
        </Card>
      </Col>
    </Row>
  );
}
