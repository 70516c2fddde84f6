'use client';
import { useEffect, useState } from 'react';
import { renderMarkdown, sanitizeHtml } from '@/lib/sanitize';

/**
 * Operator-written HTML or Markdown, sanitised in the browser after mount (nothing is rendered
 * on the server, where DOMPurify has no DOM to work with).
 */
export function SafeHtml({ content, markdown = true, className, testId }: { content: string; markdown?: boolean; className?: string; testId?: string }) {
  const [html, setHtml] = useState<string | null>(null);
  useEffect(() => {
    setHtml(markdown ? renderMarkdown(content) : sanitizeHtml(content));
  }, [content, markdown]);
  if (html === null) return null;
  return <div className={className} data-testid={testId} dangerouslySetInnerHTML={{ __html: html }} />;
}
