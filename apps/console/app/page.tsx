'use client';
import { Button, Card, Col, Row, Space, Typography } from 'antd';
import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { StoredContent } from '@/components/stored-content';
import { useRelayUrl, useSelf, useStatus } from '@/lib/hooks';

/** The base URL and the way in (sign in and sign up, or the console): on the default and on a custom home page. */
function Entry() {
  const t = useTranslations('home');
  const { data: self } = useSelf();
  const relay = useRelayUrl();
  return (
    <>
      <Typography.Paragraph data-testid="home-base-url">
        {t('baseUrl')} <Typography.Text code copyable>{`${relay}/v1`}</Typography.Text>
      </Typography.Paragraph>
      <Space wrap>
        {self ? (
          <Link href="/dashboard"><Button type="primary">{t('openConsole')}</Button></Link>
        ) : (
          <>
            <Link href="/login"><Button type="primary">{t('login')}</Button></Link>
            <Link href="/register"><Button data-testid="home-register">{t('register')}</Button></Link>
          </>
        )}
      </Space>
    </>
  );
}

function Landing() {
  const t = useTranslations('home');
  const { data: status } = useStatus();
  return (
    <Row justify="center" style={{ marginTop: 48 }}>
      <Col xs={24} md={18} lg={14}>
        <Card>
          <Typography.Title level={2}>{t('welcome', { name: status?.system_name || 'One API' })}</Typography.Title>
          <Typography.Paragraph>{t('intro')}</Typography.Paragraph>
          <Entry />
        </Card>
      </Col>
    </Row>
  );
}

export default function HomePage() {
  const t = useTranslations('home');
  return (
    <StoredContent
      path="/api/home_page_content"
      fallback={<Landing />}
      errorTitle={t('loadFailed')}
      header={<Card size="small" style={{ marginBottom: 16 }}><Entry /></Card>}
    />
  );
}
