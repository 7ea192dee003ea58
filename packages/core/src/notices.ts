/**
 * Notices of orders (SPEC rule 15; PDL 1357 art. 3.3, 5.3, 7): who is told what when an order is
 * issued, suspended, resumed or partly revoked. Pure: the outbox (store) keeps them, the notifier
 * service delivers them.
 */

/** Notices about one order, told to its parties at once. */
export type OrderNoticeKind = 'order-issued' | 'order-suspended' | 'order-resumed' | 'order-partly-revoked'

/** Every notice of the outbox: an order's, or the weekly one to a hosting provider (hosting-notices.ts). */
export type NoticeKind = OrderNoticeKind | 'hosting-weekly'

/** Whom an order is notified to (art. 3.3, 7), and how they are reached. */
export type PartyRole =
  | 'isp'
  | 'rightsholder'
  | 'search-engine'
  | 'platform'
  | 'europol-iru'
  | 'hosting-provider'

export type Channel = { kind: 'email'; address: string } | { kind: 'webhook'; url: string }

export interface Party {
  id: string
  name: string
  role: PartyRole
  channel: Channel
  /** The organisation the party is (a rightsholder is told of its own orders only). */
  org?: string
  /** A hosting provider's autonomous systems: it is the abuse contact for their addresses. */
  asns?: number[]
}

/** Roles told of every order; a rightsholder only of its own; hosting providers get the weekly notice. */
const EVERY_ORDER: ReadonlySet<PartyRole> = new Set(['isp', 'search-engine', 'platform', 'europol-iru'])

export interface NoticeOrder {
  id: string
  reference: string
  rightsholder: string
  competitions: string[]
  season: string
}

/** The parties an order is notified to: ISPs, search engines, platforms, Europol's IRU, its rightsholder. */
export function partiesOf(order: NoticeOrder, parties: readonly Party[]): Party[] {
  return parties.filter(
    (party) =>
      EVERY_ORDER.has(party.role) || (party.role === 'rightsholder' && party.org === order.rightsholder),
  )
}

const TITLES: Record<OrderNoticeKind, string> = {
  'order-issued': 'issued',
  'order-suspended': 'suspended',
  'order-resumed': 'resumed',
  'order-partly-revoked': 'partly revoked',
}

/** Subject and plain-text body of a notice; `detail` says what changed (e.g. how many prefixes). */
export function noticeText(
  kind: OrderNoticeKind,
  order: NoticeOrder,
  at: number,
  detail?: string,
): { subject: string; text: string } {
  const subject = `Blocking order ${order.reference} ${TITLES[kind]}`
  const lines = [
    `Order ${order.reference} (${order.id}) was ${TITLES[kind]} on ${new Date(at).toISOString()}.`,
    `Rightsholder: ${order.rightsholder}. Competitions: ${order.competitions.join(', ')}. Season: ${order.season}.`,
    ...(detail ? [detail] : []),
    kind === 'order-issued' || kind === 'order-resumed'
      ? 'ISPs enforce its lists during the event windows only; search engines and platforms de-index the sites and remove the apps listed (PDL 1357 art. 7).'
      : 'What it no longer covers is lifted at every ISP within the latency budget of a block.',
  ]
  return { subject, text: `${lines.join('\n')}\n` }
}
