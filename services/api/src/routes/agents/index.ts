import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { backendOf, DEFAULT_COMPLIANCE_LATE_MS, enforcesWith } from '@offside/core'
import { currentRevision, listAgents, retireAgent } from '@offside/store'
import { Type } from 'typebox'
import { errors, problem } from '../../errors.js'
import { identityOf } from '../../plugins/auth.js'
import { pageQuery, problemResponses } from '../../schemas/common.js'
import { reportedWith, toCsv } from './compliance.js'
import { loadCompliance } from './compliance-data.js'

const DAY_MS = 24 * 3600_000

export interface AgentRoutesOptions {
  /** The configured lateness bound (ms); a request may ask for another with `?lateMs=`. */
  complianceLateMs?: number
}

const AgentView = Type.Object({
  isp: Type.String(),
  agentId: Type.String(),
  connected: Type.Boolean(),
  lastRevision: Type.Integer(),
  lastAckAt: Type.Union([Type.String(), Type.Null()]),
  lastSeenAt: Type.String(),
  firstSeenAt: Type.String(),
  enforced: Type.Integer(),
  staged: Type.Integer(),
  /** Domain names enforced and staged at the agent's resolver (0 without a DNS backend). */
  enforcedNames: Type.Integer(),
  stagedNames: Type.Integer(),
  notFitting: Type.Integer(),
  /** Targets the agent's own safety net refused from the state it last acknowledged (SPEC rule 16). */
  refused: Type.Integer(),
  refusals: Type.Array(
    Type.Object({
      reason: Type.String(),
      group: Type.String(),
      prefix: Type.Optional(Type.String()),
      count: Type.Integer(),
    }),
  ),
  capabilities: Type.Array(Type.String()),
  /** From the `backend:<name>` capability; `dry-run` enforces nothing. */
  backend: Type.Union([Type.String(), Type.Null()]),
  /** The agent's release from its hello; null for agents that do not send it. */
  version: Type.Union([Type.String(), Type.Null()]),
  /** False for dry-run agents and agents that named no backend: their acks are no evidence of enforcement. */
  enforcing: Type.Boolean(),
  behind: Type.Integer(),
  /** The agent's clock minus the gateway's (ms) as it last reported it; null before any report. */
  clockOffsetMs: Type.Union([Type.Integer(), Type.Null()]),
  /** The agent's own alarm: its offset is past its bound, so it switches windows that much early or late. */
  clockSkewed: Type.Boolean(),
  clockReportedAt: Type.Union([Type.String(), Type.Null()]),
})

const ComplianceQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    isp: Type.Optional(Type.String()),
    lateMs: Type.Optional(Type.Integer({ minimum: 0 })),
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
  },
  { additionalProperties: false },
)

/**
 * Agents and compliance (SPEC rule 8). Authority and ops see every ISP; an ISP token sees only its
 * own agents and report.
 */
const agentRoutes: FastifyPluginAsyncTypebox<AgentRoutesOptions> = async (app, options) => {
  const readers = { roles: ['authority' as const, 'ops' as const, 'isp' as const] }
  const configuredLateMs = options.complianceLateMs ?? DEFAULT_COMPLIANCE_LATE_MS

  /** The ISP a caller may see: its own for an ISP token, any (or the one asked) otherwise. */
  const ispScope = (request: Parameters<typeof identityOf>[0], asked?: string): string | undefined => {
    const identity = identityOf(request)
    if (identity.role !== 'isp') return asked
    if (asked !== undefined && asked !== identity.org) {
      throw new errors.Forbidden(`an isp token of "${identity.org}" cannot read "${asked}"`)
    }
    return identity.org
  }

  app.get(
    '/agents',
    {
      config: readers,
      schema: {
        tags: ['agents'],
        querystring: pageQuery(5000, { isp: Type.Optional(Type.String()) }),
        response: {
          200: Type.Object({
            revision: Type.Integer(),
            total: Type.Integer(),
            agents: Type.Array(AgentView),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const isp = ispScope(request, request.query.isp)
      const [all, current] = await Promise.all([
        listAgents(app.db, isp === undefined ? {} : { isp }),
        currentRevision(app.db),
      ])
      // Hundreds of ISPs run several agents each: the list is read in pages (default 1000).
      const offset = request.query.offset ?? 0
      const agents = all.slice(offset, offset + (request.query.limit ?? 1000))
      const iso = (ms: number) => new Date(ms).toISOString()
      return {
        revision: current,
        total: all.length,
        agents: agents.map((agent) => ({
          isp: agent.isp,
          agentId: agent.agentId,
          connected: agent.connected,
          lastRevision: agent.lastRevision,
          lastAckAt: agent.lastAckAt === undefined ? null : iso(agent.lastAckAt),
          lastSeenAt: iso(agent.lastSeenAt),
          firstSeenAt: iso(agent.firstSeenAt),
          enforced: agent.enforced,
          staged: agent.staged,
          enforcedNames: agent.enforcedNames,
          stagedNames: agent.stagedNames,
          notFitting: agent.notFitting,
          refused: agent.refused,
          refusals: agent.refusals,
          capabilities: agent.capabilities,
          backend: backendOf(agent.capabilities),
          version: agent.version ?? null,
          enforcing: enforcesWith(agent.capabilities),
          behind: Math.max(0, current - agent.lastRevision),
          clockOffsetMs: agent.clock?.offsetMs ?? null,
          clockSkewed: agent.clock?.skewed ?? false,
          clockReportedAt: agent.clock ? iso(agent.clock.reportedAt) : null,
        })),
      }
    },
  )

  app.post(
    '/agents/:isp/:agentId/retire',
    {
      config: { roles: ['ops' as const, 'authority' as const] },
      schema: {
        tags: ['agents'],
        params: Type.Object(
          { isp: Type.String({ maxLength: 64 }), agentId: Type.String({ maxLength: 64 }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ isp: Type.String(), agentId: Type.String(), retired: Type.Literal(true) }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const { isp, agentId } = request.params
      const result = await retireAgent(app.db, { isp, agentId }, Date.now())
      if (result === 'unknown')
        throw problem(errors.NotFound, `no agent "${isp}/${agentId}"`, { field: 'agentId' })
      if (result === 'connected') {
        throw problem(
          errors.Conflict,
          `agent "${isp}/${agentId}" is connected; only a disconnected agent is retired`,
          {
            field: 'agentId',
          },
        )
      }
      await app.audit(request, 'agent.retire', `agent:${isp}/${agentId}`, {})
      return { isp, agentId, retired: true as const }
    },
  )

  app.get(
    '/reports/compliance',
    {
      config: readers,
      schema: { tags: ['agents'], querystring: ComplianceQuery, response: problemResponses },
    },
    async (request, reply) => {
      const query = request.query
      const now = Date.now()
      const to = query.to ? Date.parse(query.to) : now + 1
      const from = query.from ? Date.parse(query.from) : to - 7 * DAY_MS
      if (!(from < to)) throw new errors.InvalidInput('from must be before to')
      const lateMs = query.lateMs ?? configuredLateMs
      const isp = ispScope(request, query.isp)
      const data = await loadCompliance(app.db, {
        from,
        to,
        lateMs,
        now,
        ...(isp === undefined ? {} : { isp }),
      })
      const { rows, capabilitiesOf } = data
      const reportOf = (row: (typeof rows)[number]) =>
        reportedWith(data.acks.get(`${row.isp}/${row.agentId}`) ?? [], row.revision)
      const wantsCsv =
        query.format === 'csv' || (query.format === undefined && request.headers.accept === 'text/csv')
      if (wantsCsv) {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="offside-compliance.csv"')
          .send(toCsv(rows, (row) => backendOf(capabilitiesOf(row)) ?? '', reportOf))
      }
      const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())
      const view = (row: (typeof rows)[number]) => ({
        ...row,
        reference: iso(row.reference),
        ackedAt: iso(row.ackedAt),
        backend: backendOf(capabilitiesOf(row)),
        ...reportOf(row),
      })
      // Dry-run agents (and agents naming no backend) are shown apart and never count as enforcing.
      return reply.send({
        from: iso(from),
        to: iso(to),
        lateMs,
        summary: data.summary,
        rows: data.enforcingRows.map(view),
        notEnforcing: { summary: data.apartSummary, rows: data.apartRows.map(view) },
      })
    },
  )
}

export default agentRoutes
