/**
 * One counted slot a request wants: `key` may hold at most `limit` leases at once. The relay's
 * capacity store (apps/relay/src/capacity/capacity-store.ts) counts them, in Redis across
 * replicas with leases that expire unless renewed, or in the process.
 */
export interface LeaseWant {
  key: string;
  limit: number;
}
