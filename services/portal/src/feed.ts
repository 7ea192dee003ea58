/** The Atom feed of orders and decisions (the `feed` library writes the XML). */
import { Feed } from 'feed'
import type { TransparencyData } from './public-api.js'

interface FeedItem {
  id: string
  title: string
  date: Date
  description: string
}

function orderItems(data: TransparencyData, base: string): FeedItem[] {
  const items: FeedItem[] = []
  for (const order of data.orders) {
    const what = `${order.rightsholder.name}, ${order.competitions.map((c) => c.name).join(', ')}, season ${order.season}`
    items.push({
      id: `${base}/orders/${order.id}/issued`,
      title: `Order ${order.reference} issued`,
      date: new Date(order.issuedAt),
      description: `Order ${order.reference}: ${what}.`,
    })
    for (const period of order.suspensions) {
      items.push({
        id: `${base}/orders/${order.id}/suspended/${period.from}`,
        title: `Order ${order.reference} suspended`,
        date: new Date(period.from),
        description: `Order ${order.reference} (${what}) was suspended: none of its blocks is enforced.`,
      })
      if (period.until) {
        items.push({
          id: `${base}/orders/${order.id}/resumed/${period.until}`,
          title: `Order ${order.reference} resumed`,
          date: new Date(period.until),
          description: `Order ${order.reference} (${what}) is in force again.`,
        })
      }
    }
  }
  return items
}

function decisionItems(data: TransparencyData, base: string): FeedItem[] {
  return data.decisions.map((decision) => {
    const under = decision.reference ? ` under order ${decision.reference}` : ''
    const title =
      decision.outcome === 'revoke'
        ? `Complaint upheld: ${decision.revokedPrefixes} block${decision.revokedPrefixes === 1 ? '' : 's'} revoked${under}`
        : decision.outcome === 'suspend-order'
          ? `Complaint upheld: order ${decision.reference ?? decision.order ?? ''} suspended`
          : 'Complaint rejected'
    return {
      id: `${base}/decisions/${decision.complaint}`,
      title,
      date: new Date(decision.decidedAt),
      description: `${title}. Complaint ${decision.complaint}.`,
    }
  })
}

/** Atom 1.0 XML, newest first. */
export function atomFeed(data: TransparencyData, base: string): string {
  const items = [...orderItems(data, base), ...decisionItems(data, base)].sort(
    (a, b) => b.date.getTime() - a.date.getTime(),
  )
  const feed = new Feed({
    id: `${base}/`,
    title: 'Offside: blocking orders and complaint decisions',
    description:
      'Orders issued, suspended and resumed, and the decisions on complaints. Counts only, never blocked addresses.',
    link: `${base}/`,
    updated: items[0]?.date ?? new Date(data.generatedAt),
    feedLinks: { atom: `${base}/feed.atom` },
    copyright: 'Public information',
    generator: 'Offside portal',
  })
  for (const item of items) {
    feed.addItem({
      id: item.id,
      title: item.title,
      link: `${base}/`,
      date: item.date,
      description: item.description,
    })
  }
  return feed.atom1()
}
