'use client';
import { CopyOutlined, DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Dropdown, Input, Modal, Popconfirm, Space, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { TokenStatus } from '@oneapi/domain';
import { TokenStatusTag } from '@/components/status-tag';
import { api } from '@/lib/api-client';
import { useCopy, useErrorToast, useQuotaFormat, useRelayUrl, useStatus } from '@/lib/hooks';
import { CHAT_APPS, chatAppLink, type ChatApp } from '@/lib/chat-links';
import { formatTimestamp } from '@/lib/format';
import { usePagedList } from '@/lib/use-paged-list';
import type { Token } from '@/lib/types';
import { TokenFormModal } from './token-form-modal';

const isMasked = (key: string) => key.includes('*');

export default function TokensPage() {
  const t = useTranslations('tokens');
  const tc = useTranslations('common');
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const copy = useCopy();
  const toastError = useErrorToast();
  const formatQuota = useQuotaFormat();
  const relay = useRelayUrl();
  const chatLink = useStatus().data?.chat_link?.replace(/\/+$/, '') ?? '';
  const [keyword, setKeyword] = useState('');
  const [editing, setEditing] = useState<Token | null>(null);
  const [formOpen, setFormOpen] = useState(false);
  const [created, setCreated] = useState<Token | null>(null);

  const list = usePagedList<Token>('tokens', '/api/token/');
  const search = useQuery({
    queryKey: ['tokens', 'search', keyword],
    queryFn: ({ signal }) => api.get<Token[]>('/api/token/search', { keyword }, signal),
    enabled: keyword !== '',
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['tokens'] });

  const setStatus = useMutation({
    mutationFn: (token: Token) => api.put('/api/token/', { id: token.id, status: token.status === TokenStatus.Enabled ? TokenStatus.Disabled : TokenStatus.Enabled }, { status_only: 1 }),
    onSuccess: () => void refresh(),
    onError: toastError,
  });
  const remove = useMutation({
    mutationFn: (id: number) => api.delete(`/api/token/${id}`),
    onSuccess: () => {
      message.success(tc('deleted'));
      void refresh();
    },
    onError: toastError,
  });

  /** The full key: lists may mask it, then the single-token endpoint is asked. */
  const fullKey = async (token: Token): Promise<string | null> => {
    if (!isMasked(token.key)) return `sk-${token.key}`;
    try {
      const one = await api.get<Token>(`/api/token/${token.id}`);
      if (!isMasked(one.key)) return `sk-${one.key}`;
    } catch (err) {
      toastError(err);
      return null;
    }
    message.warning(t('keyHidden'));
    return null;
  };
  const copyKey = async (token: Token) => {
    const key = await fullKey(token);
    if (key) await copy(key);
  };
  const envText = (key: string) => `OPENAI_BASE_URL=${relay}/v1\nOPENAI_API_KEY=${key}`;
  const copyEnv = async (token: Token) => {
    const key = await fullKey(token);
    if (key) await copy(envText(key));
  };

  /** One API's chat link: the operator's chat web app (NextChat-style) opened with this key and the relay filled in. */
  const openChat = async (token: Token) => {
    const key = await fullKey(token);
    if (!key) return;
    const link = chatAppLink('next', key, relay, chatLink);
    if (link) window.open(link, '_blank', 'noopener,noreferrer');
  };
  /** Copies One API's link for a chat app (NextChat, LobeChat, AMA, OpenCat) with this key. */
  const copyAppLink = async (token: Token, app: ChatApp) => {
    const key = await fullKey(token);
    if (!key) return;
    const link = chatAppLink(app, key, relay, chatLink);
    if (link) await copy(link);
  };

  const columns: ColumnsType<Token> = [
    { title: t('name'), dataIndex: 'name', ellipsis: true },
    { title: t('status'), dataIndex: 'status', render: (s: number) => <TokenStatusTag status={s} />, width: 100 },
    { title: t('used'), dataIndex: 'used_quota', render: (q: number) => formatQuota(q), responsive: ['sm'] },
    { title: t('remaining'), key: 'remain', render: (_, r) => (r.unlimited_quota ? t('unlimited') : formatQuota(r.remain_quota)) },
    { title: t('created'), dataIndex: 'created_time', render: formatTimestamp, responsive: ['lg'] },
    { title: t('expires'), dataIndex: 'expired_time', render: (v: number) => (v === -1 ? t('never') : formatTimestamp(v)), responsive: ['md'] },
    {
      title: tc('actions'),
      key: 'actions',
      render: (_, token) => (
        <Space wrap size="small">
          <Button size="small" icon={<CopyOutlined />} onClick={() => void copyKey(token)}>
            {t('copy')}
          </Button>
          <Button size="small" onClick={() => void copyEnv(token)}>
            {t('copyEnv')}
          </Button>
          {chatLink && (
            <Button size="small" onClick={() => void openChat(token)} data-testid="token-chat">
              {t('chat')}
            </Button>
          )}
          <Dropdown
            trigger={['click']}
            menu={{
              items: CHAT_APPS.map((app) => ({ key: app, label: t(`chatApps.${app}`), disabled: app === 'lobechat' && !chatLink })),
              onClick: ({ key }) => void copyAppLink(token, key as ChatApp),
            }}
          >
            <Button size="small" data-testid="token-app-links">{t('appLinks')}</Button>
          </Dropdown>
          <Button size="small" onClick={() => setStatus.mutate(token)} disabled={token.status !== TokenStatus.Enabled && token.status !== TokenStatus.Disabled}>
            {token.status === TokenStatus.Enabled ? tc('disable') : tc('enable')}
          </Button>
          <Button size="small" icon={<EditOutlined />} aria-label={tc('edit')} onClick={() => { setEditing(token); setFormOpen(true); }} />
          <Popconfirm title={t('confirmDelete', { name: token.name })} onConfirm={() => remove.mutate(token.id)}>
            <Button size="small" danger icon={<DeleteOutlined />} aria-label={tc('delete')} />
          </Popconfirm>
        </Space>
      ),
    },
  ];

  const searching = keyword !== '';
  const source = searching ? search : list;
  return (
    <Card
      title={t('title')}
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => { setEditing(null); setFormOpen(true); }} data-testid="token-create">
          {t('create')}
        </Button>
      }
    >
      <Input.Search allowClear placeholder={t('search')} onSearch={(v) => setKeyword(v.trim())} style={{ maxWidth: 360, marginBottom: 16 }} />
      {source.error && <Alert type="error" showIcon title={source.error.message} style={{ marginBottom: 16 }} />}
      <Table<Token>
        rowKey="id"
        size="middle"
        scroll={{ x: 'max-content' }}
        columns={columns}
        loading={source.isFetching}
        dataSource={searching ? (search.data ?? []) : list.items}
        pagination={searching ? { pageSize: 10 } : list.pagination}
      />
      <TokenFormModal
        open={formOpen}
        token={editing}
        onClose={() => setFormOpen(false)}
        onSaved={(token) => {
          setFormOpen(false);
          message.success(tc('saved'));
          void refresh();
          if (token?.key && !isMasked(token.key)) setCreated(token);
        }}
      />
      <Modal open={!!created} title={t('createdTitle')} onCancel={() => setCreated(null)} footer={null}>
        {created && (
          <>
            <Typography.Paragraph>{t('createdHint')}</Typography.Paragraph>
            <Typography.Paragraph code copyable data-testid="created-key">{`sk-${created.key}`}</Typography.Paragraph>
            <Typography.Paragraph>{t('envHint')}</Typography.Paragraph>
            <Typography.Paragraph copyable={{ text: envText(`sk-${created.key}`) }}>
              <pre style={{ margin: 0 }}>{envText(`sk-${created.key}`)}</pre>
            </Typography.Paragraph>
          </>
        )}
      </Modal>
    </Card>
  );
}
