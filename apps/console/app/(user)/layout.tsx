import type { ReactNode } from 'react';
import { Role } from '@oneapi/domain';
import { RequireRole } from '@/components/require-role';

export default function UserLayout({ children }: { children: ReactNode }) {
  return <RequireRole minRole={Role.Common}>{children}</RequireRole>;
}
