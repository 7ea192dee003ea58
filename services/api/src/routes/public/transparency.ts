import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  complianceRows,
  defaultTimeZone,
  enforcesWith,
  type TransparencyReport,
  transparencyReport,
} from '@offside/core'
import {
  getListSummary,
  listAgents,
  listCompetitions,
  listComplaints,
  listOrders,
  listOrgs,
  listWeeklyLists,
  readAcksOf,
  revisionReferences,
} from '@offside/store'
import type { FastifyInstance } from 'fastify'
import type { Static } from 'typebox'
import type { ApiConfig } from '../../config.js'
import { TransparencyView } from '../../schemas/transparency.js'
import { iso, isoField } from '../../views.js'
import { summarise } from '../agents/compliance.js'

const DAY_MS = 86_400_000
/** The ISPs' on-time rate is measured over this many past days. */
const TIMELINESS_DAYS = 7
/** A report is reused this long: it reads every list summary and the week's acknowledgements. */
const REPORT_MAX_AGE_MS = 10_000
/** Decisions listed (the Atom feed shows them); counts cover all. */
const DECISIONS_SHOWN = 100

/** Reads what the public report counts; the counting itself is core's `transparencyReport`. */
async function buildReport(app: FastifyInstance, now: number, lateMs: number): Promise<TransparencyReport> {
  const db = app.db
  const [orders, state, lists, complaints, agents, references] = await Promise.all([
    listOrders(db),
    app.liveState(now),
    listWeeklyLists(db),
    listComplaints(db),
    listAgents(db),
    revisionReferences(db, now - TIMELINESS_DAYS * DAY_MS, now + 1),
  ])
  const summaries = (
    await Promise.all(lists.map((list) => getListSummary(db, list.rightsholder, list.week)))
  ).filter((summary) => summary !== null)
  const enforcing = agents.filter((agent) => enforcesWith(agent.capabilities))
  const acks = await readAcksOf(db, enforcing, references[0]?.revision)
  const rows = complianceRows(references, enforcing, (agent) => acks.get(agent) ?? [], { lateMs, now })
  return transparencyReport({
    now,
    timeZone: defaultTimeZone,
    orders,
    enforcedUnder: state.entries.map((entry) => entry.provenance.map((p) => p.order)),
    lists: summaries,
    complaints,
    isps: summarise(rows, enforcing),
  })
}

/**
 * The public transparency report (SPEC rule 14): the orders in force and counts — enforced now
 * per order, per week and rightsholder listed/held/rejected/revoked, complaints and their
 * outcomes, the ISPs' timeliness — never a list entry. The portal renders it; anyone may read it.
 */
const transparencyRoutes: FastifyPluginAsyncTypebox<{ config: ApiConfig }> = async (app, { config }) => {
  let cached: { at: number; view: Static<typeof TransparencyView> } | null = null
  let building: Promise<Static<typeof TransparencyView>> | null = null

  async function view(now: number): Promise<Static<typeof TransparencyView>> {
    const [report, orgs, competitions] = await Promise.all([
      buildReport(app, now, config.complianceLateMs),
      listOrgs(app.db),
      listCompetitions(app.db),
    ])
    const orgName = new Map(orgs.map((org) => [org.id, org.name]))
    const competitionName = new Map(competitions.map((c) => [c.id, c.name]))
    const reference = new Map(report.orders.map((order) => [order.id, order.reference]))
    return {
      generatedAt: iso(report.generatedAt),
      enforcedNow: report.enforcedNow,
      orders: report.orders.map((order) => ({
        id: order.id,
        reference: order.reference,
        rightsholder: { id: order.rightsholder, name: orgName.get(order.rightsholder) ?? order.rightsholder },
        competitions: order.competitions.map((id) => ({ id, name: competitionName.get(id) ?? id })),
        season: order.season,
        status: order.status,
        issuedAt: iso(order.issuedAt),
        updatedAt: iso(order.updatedAt),
        suspensions: (order.suspensions ?? []).map((period) => ({
          from: iso(period.from),
          ...isoField('until', period.until),
        })),
        enforcedNow: order.enforcedNow,
      })),
      weeks: report.weeks.map((week) => ({
        ...week,
        rightsholderName: orgName.get(week.rightsholder) ?? week.rightsholder,
      })),
      complaints: report.complaints,
      decisions: report.decisions.slice(0, DECISIONS_SHOWN).map((decision) => ({
        ...decision,
        decidedAt: iso(decision.decidedAt),
        ...(decision.order ? { reference: reference.get(decision.order) ?? '' } : {}),
      })),
      isps: report.isps.map((isp) => ({ ...isp, name: orgName.get(isp.isp) ?? isp.isp })),
      timelinessDays: TIMELINESS_DAYS,
    }
  }

  app.get(
    '/public/transparency',
    {
      config: { public: true, rateLimit: { max: config.publicRateLimit, timeWindow: '1 minute' } },
      schema: { tags: ['public'], security: [], response: { 200: TransparencyView } },
    },
    async () => {
      const now = Date.now()
      if (cached && now - cached.at < REPORT_MAX_AGE_MS) return cached.view
      // Concurrent readers share one build.
      building ??= view(now)
        .then((fresh) => {
          cached = { at: now, view: fresh }
          return fresh
        })
        .finally(() => {
          building = null
        })
      return building
    },
  )
}

export default transparencyRoutes
