'use client';
import { useQuery } from '@tanstack/react-query';
import { Card, Result, Skeleton } from 'antd';
import type { ReactNode } from 'react';
import { api } from '@/lib/api-client';
import { isUrlContent } from '@/lib/sanitize';
import { SafeHtml } from './safe-html';

/**
 * Operator content from a public endpoint (`/api/home_page_content`, `/api/about`): a URL is
 * shown in a sandboxed iframe (no same-origin, so its scripts cannot reach the console), other
 * text as sanitised Markdown/HTML, and `fallback` when empty. `header` goes above the operator's
 * content (not above the fallback), e.g. the home page's base URL and sign-up button.
 */
export function StoredContent({ path, fallback, errorTitle, header }: { path: string; fallback: ReactNode; errorTitle: string; header?: ReactNode }) {
  const { data, isPending, error } = useQuery({
    queryKey: ['content', path],
    queryFn: ({ signal }) => api.get<string>(path, undefined, signal),
    staleTime: 300_000,
  });
  if (isPending) return <Skeleton active paragraph={{ rows: 6 }} />;
  if (error) return <Result status="warning" title={errorTitle} subTitle={error.message} />;
  const content = (data ?? '').trim();
  if (!content) return <>{fallback}</>;
  if (isUrlContent(content)) {
    return (
      <>
      {header}
      <iframe
        src={content}
        title="content"
        sandbox="allow-scripts allow-popups allow-forms"
        referrerPolicy="no-referrer"
        style={{ width: '100%', height: 'calc(100vh - 200px)', border: 'none' }}
      />
      </>
    );
  }
  return (
    <>
      {header}
      <Card>
        <SafeHtml content={content} className="markdown-body" testId="stored-content" />
      </Card>
    </>
  );
}
