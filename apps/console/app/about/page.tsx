'use client';
import { Card, Typography } from 'antd';
import { useTranslations } from 'next-intl';
import { StoredContent } from '@/components/stored-content';

export default function AboutPage() {
  const t = useTranslations('about');
  return (
    <StoredContent
      path="/api/about"
      errorTitle={t('loadFailed')}
      fallback={
        <Card title={t('title')}>
          <Typography.Paragraph>{t('empty')}</Typography.Paragraph>
        </Card>
      }
    />
  );
}
