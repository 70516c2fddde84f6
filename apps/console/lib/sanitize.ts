/**
 * Stored HTML/Markdown (home page, about, notice, footer) is operator-written but must never run
 * script in the console (SPEC 12): render through marked, then DOMPurify. Browser-only: DOMPurify
 * needs a DOM, so callers sanitise after mount and render nothing on the server.
 */
import DOMPurify from 'dompurify';
import { marked } from 'marked';

export function sanitizeHtml(html: string): string {
  return DOMPurify.sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ['style', 'form', 'iframe', 'object', 'embed'],
    FORBID_ATTR: ['style'],
  });
}

/** Markdown (HTML allowed inside it, as One API) → sanitised HTML. */
export function renderMarkdown(markdown: string): string {
  return sanitizeHtml(marked.parse(markdown, { async: false, gfm: true, breaks: false }));
}

/** One API treats content that is only an http(s) URL as a page to show in an iframe. */
export function isUrlContent(content: string): boolean {
  return /^https?:\/\/\S+$/.test(content.trim());
}
