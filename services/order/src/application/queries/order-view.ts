/** The read model's answer shape for one order (GET /orders/:id, and each entry of GET /orders). */
export interface OrderView {
  readonly id: string;
  readonly status: string;
  readonly items: ReadonlyArray<{ productId: string; name: string | null; quantity: number; unitPriceCents: number }>;
  readonly totalCents: number;
  readonly reason?: string;
  readonly sagaStyle: string;
  readonly history: ReadonlyArray<{ status: string; at: string }>;
  readonly trackingNumber?: string;
  readonly createdAt: string;
}

export interface OrderViewRow {
  id: string;
  status: string;
  items: OrderView['items'];
  total_cents: string;
  reason: string | null;
  saga_style: string;
  history: OrderView['history'];
  tracking_number: string | null;
  created_at: Date;
}

export const ORDER_VIEW_COLUMNS = 'id, status, items, total_cents, reason, saga_style, history, tracking_number, created_at';

export function toOrderView(row: OrderViewRow): OrderView {
  return {
    id: row.id,
    status: row.status,
    items: row.items,
    totalCents: Number(row.total_cents),
    ...(row.reason ? { reason: row.reason } : {}),
    sagaStyle: row.saga_style,
    history: row.history,
    ...(row.tracking_number ? { trackingNumber: row.tracking_number } : {}),
    createdAt: new Date(row.created_at).toISOString(),
  };
}
