import type { Order } from '@offside/core'
import type { Db } from './keys.js'
import { getRecord, listRecords, putStateRecords } from './records.js'

/** An order as stored: core's Order plus when it was issued and last changed. */
export interface OrderRecord extends Order {
  issuedAt: number
  updatedAt: number
  /** Each period the order was suspended, oldest first; the last has no `until` while it lasts. */
  suspensions?: Suspension[]
}

export interface Suspension {
  from: number
  until?: number
}

/** The suspension history after a suspend (opens a period) or a resume (closes the open one). */
function nextSuspensions(history: Suspension[] = [], suspended: boolean, now: number): Suspension[] {
  const last = history[history.length - 1]
  const open = last !== undefined && last.until === undefined
  if (suspended) return open ? history : [...history, { from: now }]
  return open ? [...history.slice(0, -1), { ...last, until: now }] : history
}

export async function putOrder(db: Db, order: OrderRecord): Promise<boolean> {
  return (await putStateRecords(db, db.keys.orders, [order])) === 1
}

export function getOrder(db: Db, id: string): Promise<OrderRecord | null> {
  return getRecord<OrderRecord>(db, db.keys.orders, id)
}

export async function listOrders(db: Db, filter: { rightsholder?: string } = {}): Promise<OrderRecord[]> {
  return (await listRecords<OrderRecord>(db, db.keys.orders))
    .filter((order) => filter.rightsholder === undefined || order.rightsholder === filter.rightsholder)
    .sort((a, b) => a.id.localeCompare(b.id))
}

/** Suspends or resumes an order; returns the updated order, or null when it does not exist. */
export async function setOrderSuspended(
  db: Db,
  id: string,
  suspended: boolean,
  now: number,
): Promise<OrderRecord | null> {
  const order = await getOrder(db, id)
  if (!order) return null
  const updated = {
    ...order,
    suspended,
    updatedAt: now,
    suspensions: nextSuspensions(order.suspensions, suspended, now),
  }
  await putOrder(db, updated)
  return updated
}
