/**
 * The public prosecutor's export (PDL 1357 art. 3.6): for a period, every order with whom it was
 * notified and each delivery, the weekly hosting notices, and the ISPs' acknowledgements (the
 * compliance rows of enforcing agents). Signed as a whole by the caller (report-signature.ts).
 */
import { type Db, listNotices, listOrders, listParties, type Notice } from '@offside/store'
import type { ComplianceData } from '../agents/compliance-data.js'

const iso = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? null : new Date(ms).toISOString()

function notification(notice: Notice, partyOf: (id: string) => object | null) {
  return {
    id: notice.id,
    kind: notice.kind,
    ...(notice.week ? { week: notice.week, asn: notice.asn } : {}),
    party: partyOf(notice.party) ?? notice.contact ?? { id: notice.party },
    subject: notice.subject,
    filedAt: iso(notice.createdAt),
    status: notice.status,
    attempts: notice.attempts.map((a) => ({ at: iso(a.at), ok: a.ok, detail: a.detail })),
    receipt: notice.receipt ? { ...notice.receipt, at: iso(notice.receipt.at) } : null,
  }
}

export async function prosecutorBundle(
  db: Db,
  period: { from: number; to: number },
  compliance: ComplianceData,
  generatedAt: number,
) {
  const [orders, notices, parties] = await Promise.all([listOrders(db), listNotices(db), listParties(db)])
  const partyById = new Map(parties.map((party) => [party.id, party]))
  const partyOf = (id: string) => partyById.get(id) ?? null
  const inPeriod = notices.filter((n) => n.createdAt >= period.from && n.createdAt < period.to)
  return {
    kind: 'offside-prosecutor-export',
    period: { from: iso(period.from), to: iso(period.to) },
    generatedAt: iso(generatedAt),
    orders: orders
      .filter((order) => order.issuedAt < period.to)
      .map((order) => ({
        id: order.id,
        reference: order.reference,
        rightsholder: order.rightsholder,
        competitions: order.competitions,
        season: order.season,
        issuedAt: iso(order.issuedAt),
        suspended: order.suspended,
        suspensions: (order.suspensions ?? []).map((s) => ({ from: iso(s.from), until: iso(s.until) })),
        notifications: inPeriod.filter((n) => n.order === order.id).map((n) => notification(n, partyOf)),
      })),
    hostingNotices: inPeriod.filter((n) => n.kind === 'hosting-weekly').map((n) => notification(n, partyOf)),
    acknowledgements: {
      summary: compliance.summary,
      rows: compliance.enforcingRows.map((row) => ({
        ...row,
        reference: iso(row.reference),
        ackedAt: iso(row.ackedAt),
      })),
    },
  }
}
