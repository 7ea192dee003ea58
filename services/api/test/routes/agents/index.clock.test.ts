import { agentConnected, createDb, recordAck, recordClock, recordRevisionReference } from '@offside/store'
import t from 'tap'
import { actors, build } from '../../helper.js'

/**
 * An agent's clock as the gateway keeps it (written here through the same store module), read back
 * through `GET /v1/agents` and the compliance report.
 */
t.test(
  "a skewed agent's clock shows in GET /v1/agents and marks its compliance evidence, and only its own",
  async (t) => {
    const api = await build(t)
    const who = await actors(api)
    const db = createDb(api.redis, api.config.keyPrefix)
    const base = Date.now() - 60_000
    await recordRevisionReference(db, { revision: 1, kind: 'list-upload', issuedAt: base, reference: base })
    const ack = { enforced: 1, staged: 0, notFitting: 0, source: 'ack' as const, revision: 1 }
    for (const agentId of ['ahead', 'on-ntp', 'unmeasured']) {
      await agentConnected(db, {
        isp: 'isp-a',
        agentId,
        capabilities: ['backend:nftables'],
        lastRevision: 0,
        gateway: 'gw',
        now: base - 1,
        ttlMs: 60_000,
      })
    }
    await recordAck(
      db,
      { isp: 'isp-a', agentId: 'ahead' },
      { ...ack, receivedAt: base + 300, appliedAt: base + 20_300, clockOffsetMs: 20_000, clockSkewed: true },
    )
    await recordAck(
      db,
      { isp: 'isp-a', agentId: 'on-ntp' },
      { ...ack, receivedAt: base + 300, appliedAt: base + 300, clockOffsetMs: -4, clockSkewed: false },
    )
    await recordAck(
      db,
      { isp: 'isp-a', agentId: 'unmeasured' },
      { ...ack, receivedAt: base + 300, appliedAt: 0 },
    )
    await recordClock(
      db,
      { isp: 'isp-a', agentId: 'ahead' },
      { offsetMs: 20_010, skewed: true, reportedAt: base + 900 },
    )
    await recordClock(
      db,
      { isp: 'isp-a', agentId: 'on-ntp' },
      { offsetMs: -4, skewed: false, reportedAt: base + 900 },
    )

    const { agents } = (await api.call(who.authority, { method: 'GET', url: '/v1/agents' })).json()
    const clocks = Object.fromEntries(
      agents.map(
        (a: { agentId: string; clockOffsetMs: unknown; clockSkewed: unknown; clockReportedAt: unknown }) => [
          a.agentId,
          [a.clockOffsetMs, a.clockSkewed, a.clockReportedAt],
        ],
      ),
    )
    const at = new Date(base + 900).toISOString()
    t.same(
      clocks,
      { ahead: [20_010, true, at], 'on-ntp': [-4, false, at], unmeasured: [null, false, null] },
      'each agent shows its last reported clock; one that never reported shows none',
    )

    const report = (await api.call(who.authority, { method: 'GET', url: '/v1/reports/compliance' })).json()
    const marks = Object.fromEntries(
      report.rows.map((r: { agentId: string; clockOffsetMs: unknown; clockSkewed: unknown }) => [
        r.agentId,
        [r.clockOffsetMs, r.clockSkewed],
      ]),
    )
    t.same(
      marks,
      { ahead: [20_000, true], 'on-ntp': [-4, false], unmeasured: [null, null] },
      'each row carries the clock of the ack that covers it: only the skewed agent is marked',
    )
    t.same(
      report.summary.map((s: { isp: string; clockSkewed: number }) => [s.isp, s.clockSkewed]),
      [['isp-a', 1]],
      'the ISP summary counts its skewed agents',
    )
  },
)
