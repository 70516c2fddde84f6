'use client';
import { AntdRegistry } from '@ant-design/nextjs-registry';
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App, ConfigProvider } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { useRouter } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { type ReactNode, useEffect, useState } from 'react';
import { ApiError, messageSlug, setServerErrorTranslator } from '@/lib/api-client';

/**
 * Colours that meet WCAG AA (4.5:1) for text: the primary (buttons, links, selected menu items)
 * is 5.6:1 on white, and secondary, description and tertiary greys are 5.7:1 or better (antd's
 * defaults are 3.3:1). Tag text colours are darkened in globals.css.
 */
const THEME = {
  token: {
    colorPrimary: '#1f5fe0',
    colorLink: '#1f5fe0',
    colorTextSecondary: 'rgba(0, 0, 0, 0.65)',
    colorTextDescription: 'rgba(0, 0, 0, 0.65)',
    colorTextTertiary: 'rgba(0, 0, 0, 0.62)',
    // Danger buttons and error text: antd's #ff4d4f is 3.3:1 on white, this is 5.9:1.
    colorError: '#cf1322',
  },
};

const PUBLIC_PATHS = ['/', '/about', '/login', '/register', '/reset', '/user/reset', '/oauth/github', '/change-password'];

function onApiError(err: unknown, quiet401: boolean, navigate: (href: string) => void): void {
  if (!(err instanceof ApiError) || typeof window === 'undefined') return;
  const path = window.location.pathname;
  if (err.isPasswordChangeRequired && path !== '/change-password') {
    navigate('/change-password');
  } else if (err.isUnauthorized && !quiet401 && !PUBLIC_PATHS.includes(path)) {
    navigate(`/login?expired=1&redirect=${encodeURIComponent(path)}`);
  }
}

/** React Query, antd (with SSR style extraction) and the global redirects on 401 / forced password change. */
export function Providers({ locale, children }: { locale: string; children: ReactNode }) {
  const router = useRouter();
  const ts = useTranslations('serverErrors');
  // The API answers in English with a code: known messages are translated as a whole, others by their code.
  useEffect(() => {
    setServerErrorTranslator(({ code, message }) => {
      const slug = `messages.${messageSlug(message)}`;
      if (ts.has(slug)) return ts(slug);
      if (locale === 'en') return message;
      return code && ts.has(`codes.${code}`) ? ts(`codes.${code}`, { message }) : message;
    });
  }, [ts, locale]);
  const [client] = useState(
    () =>
      new QueryClient({
        queryCache: new QueryCache({
          onError: (err, query) => onApiError(err, query.meta?.['quiet401'] === true, (href) => router.replace(href)),
        }),
        mutationCache: new MutationCache({
          onError: (err) => onApiError(err, false, (href) => router.replace(href)),
        }),
        defaultOptions: {
          queries: {
            refetchOnWindowFocus: false,
            retry: (count, err) => !(err instanceof ApiError && err.status >= 400 && err.status < 500) && count < 2,
          },
        },
      }),
  );
  return (
    <AntdRegistry>
      <ConfigProvider locale={locale === 'zh' ? zhCN : enUS} theme={THEME}>
        <App>
          <QueryClientProvider client={client}>{children}</QueryClientProvider>
        </App>
      </ConfigProvider>
    </AntdRegistry>
  );
}
