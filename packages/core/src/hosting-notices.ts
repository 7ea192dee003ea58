/**
 * Hosting-provider notices (SPEC rule 14, the UK orders' weekly notice): every organisation that
 * announces an address enforced during a week's windows gets one notice listing its addresses, the
 * windows and how to complain. Pure: the caller passes the inputs as they stand, the IP-to-ASN
 * look-up and the abuse contacts; the notifier files what this returns through the outbox.
 */

import { StateIndex, type StateInputs } from './effective-state.js'
import { type AsnLookup, asnLabel } from './guard-asn.js'

/** One window in which an address was enforced. */
export interface HostedWindow {
  event: string
  competition: string
  opensAt: number
  closesAt: number
}

/** An address (prefix) an organisation announces that was enforced in the week. */
export interface HostedAddress {
  prefix: string
  /** References of the orders whose lists held it. */
  orders: string[]
  windows: HostedWindow[]
}

/** What one autonomous system is told about one week. */
export interface HostingWeek {
  asn: number
  organisation: string
  week: string
  addresses: HostedAddress[]
}

/**
 * The addresses enforced in `week`'s windows that had opened by `inputs.now`, grouped by the
 * autonomous system announcing them (an address announced by several is told to each; one
 * announced by nobody, e.g. unrouted space, to none). Sorted by ASN, addresses by prefix.
 */
export function hostingWeeks(inputs: StateInputs, week: string, asnOf: AsnLookup): HostingWeek[] {
  const index = new StateIndex(inputs)
  const enforced = new Map<string, { orders: Set<string>; windows: HostedWindow[] }>()
  for (const window of index.windows) {
    if (window.week !== week || window.opensAt > inputs.now) continue
    const hosted: HostedWindow = {
      event: window.event,
      competition: window.competition,
      opensAt: window.opensAt,
      closesAt: window.closesAt,
    }
    for (const source of index.sources(window)) {
      for (const prefix of source.prefixes) {
        let entry = enforced.get(prefix)
        if (!entry) {
          entry = { orders: new Set(), windows: [] }
          enforced.set(prefix, entry)
        }
        entry.orders.add(source.order.reference)
        if (!entry.windows.some((w) => w.event === hosted.event)) entry.windows.push(hosted)
      }
    }
  }
  const byAsn = new Map<number, HostingWeek>()
  for (const [prefix, entry] of enforced) {
    for (const announcing of asnOf(prefix)) {
      let notice = byAsn.get(announcing.asn)
      if (!notice) {
        notice = { asn: announcing.asn, organisation: announcing.organisation, week, addresses: [] }
        byAsn.set(announcing.asn, notice)
      }
      notice.addresses.push({ prefix, orders: [...entry.orders].sort(), windows: entry.windows })
    }
  }
  const weeks = [...byAsn.values()].sort((a, b) => a.asn - b.asn)
  for (const notice of weeks) notice.addresses.sort((a, b) => (a.prefix < b.prefix ? -1 : 1))
  return weeks
}

/** Subject and plain-text body of a weekly hosting notice; `complainUrl` is the public complaint form. */
export function hostingNoticeText(
  notice: HostingWeek,
  complainUrl: string,
): { subject: string; text: string } {
  const count = notice.addresses.length
  const subject = `${count} address${count === 1 ? '' : 'es'} of ${asnLabel(notice.asn)} blocked during live events in ${notice.week}`
  const iso = (ms: number) => new Date(ms).toISOString()
  const lines = [
    `To the abuse contact of ${asnLabel(notice.asn)} (${notice.organisation}).`,
    '',
    `During ${notice.week}, ISPs blocked the addresses below, which your network announces, under live blocking orders, only during the event windows listed.`,
    '',
    ...notice.addresses.flatMap((address) => [
      `${address.prefix} (orders ${address.orders.join(', ')})`,
      ...address.windows.map(
        (w) => `  ${iso(w.opensAt)} to ${iso(w.closesAt)}, ${w.competition} event ${w.event}`,
      ),
    ]),
    '',
    `If a lawful service of yours or your customers' shares one of these addresses, complain, free of charge and with no account: ${complainUrl}`,
    'An upheld complaint re-enables the address at every ISP at once.',
  ]
  return { subject, text: `${lines.join('\n')}\n` }
}
