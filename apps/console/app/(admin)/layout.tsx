import type { ReactNode } from 'react';
import { Role } from '@oneapi/domain';
import { RequireRole } from '@/components/require-role';

export default function AdminLayout({ children }: { children: ReactNode }) {
  return <RequireRole minRole={Role.Admin}>{children}</RequireRole>;
}
