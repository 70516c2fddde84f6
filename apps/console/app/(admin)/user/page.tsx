'use client';
import { PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Dropdown, Input, Space, Table, Tag, Tooltip } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { Role, UserStatus } from '@oneapi/domain';
import { UserStatusTag } from '@/components/status-tag';
import { api } from '@/lib/api-client';
import { useErrorToast, useQuotaFormat, useSelf } from '@/lib/hooks';
import { usePagedList } from '@/lib/use-paged-list';
import type { User } from '@/lib/types';
import { UserFormModal } from './user-form-modal';

type ManageAction = 'disable' | 'enable' | 'delete' | 'promote' | 'demote';

export default function UsersPage() {
  const t = useTranslations('users');
  const tc = useTranslations('common');
  const { message, modal } = App.useApp();
  const queryClient = useQueryClient();
  const toastError = useErrorToast();
  const formatQuota = useQuotaFormat();
  const { data: self } = useSelf();
  const [keyword, setKeyword] = useState('');
  const [editingId, setEditingId] = useState<number | null>(null);
  const [formOpen, setFormOpen] = useState(false);

  const list = usePagedList<User>('users', '/api/user/');
  const search = useQuery({
    queryKey: ['users', 'search', keyword],
    queryFn: ({ signal }) => api.get<User[]>('/api/user/search', { keyword }, signal),
    enabled: keyword !== '',
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['users'] });
  const manage = useMutation({
    mutationFn: ({ username, action }: { username: string; action: ManageAction }) => api.post('/api/user/manage', { username, action }),
    onSuccess: () => {
      message.success(tc('saved'));
      void refresh();
    },
    onError: toastError,
  });

  const roleTag = (role: number) =>
    role >= Role.Root ? <Tag color="red">{t('root')}</Tag> : role >= Role.Admin ? <Tag color="gold">{t('admin')}</Tag> : <Tag>{t('common')}</Tag>;

  const columns: ColumnsType<User> = [
    { title: 'ID', dataIndex: 'id', width: 64 },
    { title: t('username'), dataIndex: 'username', render: (v: string, u) => <Tooltip title={u.display_name}>{v}</Tooltip> },
    { title: t('group'), dataIndex: 'group', render: (v: string) => <Tag>{v || 'default'}</Tag>, responsive: ['md'] },
    {
      title: t('quota'),
      key: 'quota',
      render: (_, u) => (
        <Space size={4} wrap>
          <Tooltip title={t('remaining')}><Tag color="green">{formatQuota(u.quota)}</Tag></Tooltip>
          <Tooltip title={t('used')}><Tag>{formatQuota(u.used_quota)}</Tag></Tooltip>
          <Tooltip title={t('requests')}><Tag color="blue">{u.request_count}</Tag></Tooltip>
        </Space>
      ),
    },
    { title: t('role'), dataIndex: 'role', render: roleTag },
    { title: t('status'), dataIndex: 'status', render: (v: number) => <UserStatusTag status={v} /> },
    {
      title: tc('actions'),
      key: 'actions',
      render: (_, u) => {
        const canAct = !!self && self.role > u.role;
        const act = (action: ManageAction) => manage.mutate({ username: u.username, action });
        return (
          <Space wrap size="small">
            <Button size="small" disabled={!canAct} onClick={() => act(u.status === UserStatus.Enabled ? 'disable' : 'enable')}>
              {u.status === UserStatus.Enabled ? tc('disable') : tc('enable')}
            </Button>
            <Button size="small" disabled={!canAct && self?.id !== u.id} onClick={() => { setEditingId(u.id); setFormOpen(true); }}>{tc('edit')}</Button>
            <Dropdown
              disabled={!canAct}
              menu={{
                items: [
                  { key: 'promote', label: t('promote'), disabled: self?.role !== Role.Root || u.role >= Role.Admin },
                  { key: 'demote', label: t('demote'), disabled: u.role < Role.Admin },
                  { key: 'delete', label: tc('delete'), danger: true },
                ],
                onClick: ({ key }) => {
                  if (key === 'delete') modal.confirm({ title: t('confirmDelete', { name: u.username }), okButtonProps: { danger: true }, onOk: () => manage.mutateAsync({ username: u.username, action: 'delete' }) });
                  else act(key as ManageAction);
                },
              }}
            >
              <Button size="small">{tc('more')}</Button>
            </Dropdown>
          </Space>
        );
      },
    },
  ];

  const searching = keyword !== '';
  const source = searching ? search : list;
  return (
    <Card title={t('title')} extra={<Button type="primary" icon={<PlusOutlined />} onClick={() => { setEditingId(null); setFormOpen(true); }}>{t('create')}</Button>}>
      <Input.Search allowClear placeholder={t('search')} onSearch={(v) => setKeyword(v.trim())} style={{ maxWidth: 360, marginBottom: 16 }} />
      {source.error && <Alert type="error" showIcon title={source.error.message} style={{ marginBottom: 16 }} />}
      <Table<User>
        rowKey="id"
        size="middle"
        scroll={{ x: 'max-content' }}
        columns={columns}
        loading={source.isFetching}
        dataSource={searching ? (search.data ?? []) : list.items}
        pagination={searching ? { pageSize: 10 } : list.pagination}
      />
      <UserFormModal
        open={formOpen}
        userId={editingId}
        onClose={() => setFormOpen(false)}
        onSaved={() => {
          setFormOpen(false);
          message.success(tc('saved'));
          void refresh();
        }}
      />
    </Card>
  );
}
