'use client';
import { AppstoreOutlined, ExperimentOutlined, InfoCircleOutlined, LogoutOutlined, MenuOutlined, UserOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Drawer, Dropdown, Grid, Layout, Menu, Space, Typography } from 'antd';
import type { MenuProps } from 'antd';
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { type ReactNode, useMemo, useState } from 'react';
import { Role } from '@oneapi/domain';
import { api } from '@/lib/api-client';
import { queryKeys, useSelf, useStatus } from '@/lib/hooks';
import { LanguageSwitch } from './language-switch';
import { SafeHtml } from './safe-html';

const { Header, Content, Footer } = Layout;
/** Links shown in the user menu instead of the bar on wide screens. */
const IN_USER_MENU = new Set(['/playground', '/models', '/setting', '/about']);

/** Header with navigation by role, notice banner, page content and the operator's footer. */
export function AppShell({ children }: { children: ReactNode }) {
  const t = useTranslations('nav');
  const pathname = usePathname();
  const router = useRouter();
  const queryClient = useQueryClient();
  const screens = Grid.useBreakpoint();
  const [drawerOpen, setDrawerOpen] = useState(false);
  const { data: status } = useStatus();
  const { data: self } = useSelf();
  const notice = useQuery({
    queryKey: ['notice'],
    queryFn: ({ signal }) => api.get<string>('/api/notice', undefined, signal),
    staleTime: 300_000,
  });
  const [noticeClosed, setNoticeClosed] = useState(false);

  const role = self?.role ?? Role.Guest;
  const items = useMemo<MenuProps['items']>(() => {
    const link = (href: string, label: string) => ({ key: href, label: <Link href={href}>{label}</Link> });
    if (!self) return [link('/', t('home')), link('/about', t('about'))];
    const list = [link('/dashboard', t('dashboard')), link('/token', t('tokens')), link('/playground', t('playground')), link('/models', t('models')), link('/log', t('logs')), link('/topup', t('topup'))];
    if (role >= Role.Admin) list.push(link('/channel', t('channels')), link('/user', t('users')), link('/redemption', t('redemptions')));
    if (role >= Role.Root) list.push(link('/system', t('system')));
    list.push(link('/setting', t('settings')), link('/about', t('about')));
    return list;
  }, [self, role, t]);
  // Playground, Models, Settings and About live in the user menu on wide screens: with every link
  // in one row, antd folds the last ones into "…" and leaves them focusable while aria-hidden.
  const barItems = useMemo(() => (self ? items?.filter((i) => !IN_USER_MENU.has(String(i?.key))) : items), [items, self]);
  const selected = '/' + (pathname.split('/')[1] ?? '');

  const logout = async () => {
    try {
      await api.post('/api/user/logout');
    } finally {
      queryClient.removeQueries({ queryKey: queryKeys.self });
      queryClient.clear();
      router.replace('/login');
    }
  };

  const systemName = status?.system_name || 'One API';
  const compact = !screens.md;
  const tp = useTranslations('pageTitles');
  const pageKey = pathname.replace(/\/+$/, '') || '/';
  const pageTitle = tp.has(pageKey) ? tp(pageKey) : '';
  // The tab title follows the operator's SystemName on every page ("Tokens - My Gateway"). React
  // hoists this <title> into <head>; the layout sets none, so nothing streamed later replaces it.
  const documentTitle = pageTitle ? `${pageTitle} - ${systemName}` : systemName;
  const menu = (
    <Menu
      mode={compact ? 'inline' : 'horizontal'}
      selectedKeys={[selected]}
      items={compact ? items : barItems}
      style={{ flex: 1, minWidth: 0, borderBottom: 'none' }}
      onClick={() => setDrawerOpen(false)}
    />
  );

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <title>{documentTitle}</title>
      <Header style={{ display: 'flex', alignItems: 'center', gap: 12, background: '#fff', padding: compact ? '0 12px' : '0 24px', borderBottom: '1px solid #f0f0f0' }}>
        {compact && <Button type="text" aria-label={t('menu')} icon={<MenuOutlined />} onClick={() => setDrawerOpen(true)} />}
        <Link href={self ? '/dashboard' : '/'} style={{ display: 'flex', alignItems: 'center', gap: 8, whiteSpace: 'nowrap' }}>
          {/* Plain img: operator-configured logo URL of any origin. */}
          <img src={status?.logo || '/logo.svg'} alt="" width={28} height={28} style={{ objectFit: 'contain' }} />
          <Typography.Text strong data-testid="system-name">{systemName}</Typography.Text>
        </Link>
        {compact ? <div style={{ flex: 1 }} /> : menu}
        <Space size="small">
          <LanguageSwitch />
          {self ? (
            <Dropdown
              trigger={['click']}
              menu={{
                items: [
                  { key: 'playground', icon: <ExperimentOutlined />, label: <Link href="/playground">{t('playground')}</Link> },
                  { key: 'models', icon: <AppstoreOutlined />, label: <Link href="/models">{t('models')}</Link> },
                  { key: 'setting', icon: <UserOutlined />, label: <Link href="/setting">{t('settings')}</Link> },
                  { key: 'about', icon: <InfoCircleOutlined />, label: <Link href="/about">{t('about')}</Link> },
                  { key: 'logout', icon: <LogoutOutlined />, label: t('logout'), onClick: () => void logout() },
                ],
              }}
            >
              <Button type="text" icon={<UserOutlined />} data-testid="user-menu">
                {compact ? null : self.display_name || self.username}
              </Button>
            </Dropdown>
          ) : (
            <Link href="/login">
              <Button type="primary" size="small">{t('login')}</Button>
            </Link>
          )}
        </Space>
      </Header>
      <Drawer placement="left" open={drawerOpen} onClose={() => setDrawerOpen(false)} size={260} title={systemName} styles={{ body: { padding: 0 } }}>
        {menu}
      </Drawer>
      {notice.data && !noticeClosed && (
        <Alert
          type="info"
          banner
          closable={{ onClose: () => setNoticeClosed(true) }}
          title={<SafeHtml content={notice.data} testId="notice" />}
        />
      )}
      <Content style={{ padding: compact ? 12 : 24, width: '100%', maxWidth: 1400, margin: '0 auto' }}>
        {/* The one <h1> of every page (its cards carry the visible titles). */}
        <h1 className="visually-hidden" data-testid="page-title">{pageTitle || systemName}</h1>
        {children}
      </Content>
      <Footer style={{ textAlign: 'center', padding: '16px' }}>
        {status?.footer_html ? (
          <SafeHtml content={status.footer_html} markdown={false} testId="footer" />
        ) : (
          <Typography.Text type="secondary">
            {systemName} {status?.version ?? ''}
          </Typography.Text>
        )}
      </Footer>
    </Layout>
  );
}
