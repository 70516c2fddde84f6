'use client';
import { useEffect, useRef, type ReactNode } from 'react';

/**
 * Makes a wide table's horizontal scroll container reachable by keyboard (WCAG 2.1.1; axe
 * `scrollable-region-focusable`). antd renders that container itself and offers no prop for it,
 * and an empty or loading table has nothing focusable inside to scroll it with.
 */
export function KeyboardScrollable({ label, children }: { label: string; children: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const root = ref.current;
    if (!root) return;
    const mark = () => {
      for (const el of root.querySelectorAll<HTMLElement>('.ant-table-content')) {
        if (el.hasAttribute('tabindex')) continue;
        el.tabIndex = 0;
        el.setAttribute('role', 'region');
        el.setAttribute('aria-label', label);
      }
    };
    mark();
    const observer = new MutationObserver(mark);
    observer.observe(root, { childList: true, subtree: true });
    return () => observer.disconnect();
  }, [label]);
  return <div ref={ref}>{children}</div>;
}
