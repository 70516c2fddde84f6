'use client';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { TablePaginationConfig } from 'antd';
import { useState } from 'react';
import { apiPage, type QueryValue } from './api-client';

/**
 * A server-paginated list (`?p=` 0-based, `page_size`). When the API does not report `total`,
 * One API's habit, another page is offered while the current one is full.
 */
export function usePagedList<T>(key: string, path: string, filters: Record<string, QueryValue> = {}, initialPageSize = 10) {
  const [page, setPage] = useState(0);
  const [pageSize, setPageSize] = useState(initialPageSize);
  const query = useQuery({
    queryKey: [key, path, filters, page, pageSize],
    queryFn: ({ signal }) => apiPage<T>(path, { ...filters, p: page, page_size: pageSize }, signal),
    placeholderData: keepPreviousData,
  });
  const items = query.data?.items ?? [];
  const total = query.data?.total ?? page * pageSize + items.length + (items.length >= pageSize ? 1 : 0);
  const pagination: TablePaginationConfig = {
    current: page + 1,
    pageSize,
    total,
    showSizeChanger: true,
    pageSizeOptions: [10, 20, 50, 100],
    onChange: (next, size) => {
      setPage(size !== pageSize ? 0 : next - 1);
      setPageSize(size);
    },
  };
  return { ...query, items, pagination, resetPage: () => setPage(0) };
}
