'use client';
import { GlobalOutlined } from '@ant-design/icons';
import { Select } from 'antd';
import { useLocale, useTranslations } from 'next-intl';
import { useRouter } from 'next/navigation';
import { LOCALE_COOKIE, type Locale } from '@/i18n/locales';

const LABELS: Record<Locale, string> = { en: 'English', zh: '中文' };

/** Stores the choice in the cookie next-intl's request config reads, then re-renders the server tree. */
export function LanguageSwitch() {
  const locale = useLocale();
  const router = useRouter();
  const t = useTranslations('nav');
  return (
    <Select
      aria-label={t('language')}
      data-testid="language-switch"
      size="small"
      variant="borderless"
      value={locale as Locale}
      suffixIcon={<GlobalOutlined />}
      style={{ width: 104 }}
      options={(Object.keys(LABELS) as Locale[]).map((value) => ({ value, label: LABELS[value] }))}
      onChange={(value: Locale) => {
        document.cookie = `${LOCALE_COOKIE}=${value}; path=/; max-age=31536000; samesite=lax`;
        router.refresh();
      }}
    />
  );
}
