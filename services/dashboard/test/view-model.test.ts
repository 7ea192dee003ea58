import type { Competition, MatchEvent } from '@offside/core'
import t from 'tap'
import { type AgentInput, addressCount, buildView, type DashboardInputs } from '../src/view-model.js'

const minute = 60_000
const now = Date.parse('2026-11-29T20:00:00Z')
const serieA: Competition = {
  id: 'serie-a',
  name: 'Serie A',
  timeZone: 'Europe/Rome',
  preMinutes: 15,
  postMinutes: 30,
}

function event(
  id: string,
  kickoffFromNow: number,
  durationMin = 105,
  extra: Partial<MatchEvent> = {},
): MatchEvent {
  const kickoff = now + kickoffFromNow * minute
  return {
    id,
    competition: 'serie-a',
    kickoff,
    end: kickoff + durationMin * minute,
    status: 'scheduled',
    ...extra,
  }
}

function agent(id: string, isp: string, extra: Partial<AgentInput> = {}): AgentInput {
  return {
    id,
    isp,
    backend: 'nftables',
    version: '0.1.0',
    connected: true,
    lastAckRevision: 10,
    lastSeenAt: now,
    activations: [],
    ...extra,
  } as AgentInput
}

function inputs(extra: Partial<DashboardInputs> = {}): DashboardInputs {
  return {
    now,
    revision: 10,
    groups: [],
    competitions: [serieA],
    events: [],
    agents: [],
    held: [],
    breaker: [],
    complaints: [],
    surveillance: [],
    revisions: [],
    unavailable: [],
    ...extra,
  }
}

t.test(
  'a window is live from kickoff minus pre until end plus post, and counts its enforced entries',
  async (t) => {
    const view = buildView(
      inputs({
        events: [event('m1', 10, 105, { title: 'Inter – Milan' }), event('m2', 120)],
        groups: [
          {
            id: 'w:m1',
            event: 'm1',
            from: now - 5 * minute,
            until: now + 150 * minute,
            prefixes: ['203.0.113.7/32', '198.51.100.0/24'],
          },
          {
            id: 'w:m2',
            event: 'm2',
            from: now + 105 * minute,
            until: now + 300 * minute,
            prefixes: ['192.0.2.1/32'],
          },
        ],
      }),
    )
    t.equal(view.windows.live.length, 1, 'only the match whose window has opened is live')
    const live = view.windows.live[0]!
    t.equal(live.title, 'Inter – Milan', 'the window shows the event title')
    t.equal(live.closesAt, now + (10 + 105 + 30) * minute, 'the window closes post minutes after the end')
    t.equal(live.enforcedEntries, 2, 'the live window counts the prefixes its group enforces')
    t.same(live.enforcedAddresses, { v4: '257', v6: '0' }, 'a /24 and a /32 cover 257 addresses')
    t.equal(view.windows.upcoming.length, 1, 'the later match is upcoming')
    t.equal(view.windows.upcoming[0]!.enforcedEntries, 0, 'a staged group does not count before it starts')
    t.same(
      view.totals,
      { enforcedEntries: 2, enforcedAddresses: { v4: '257', v6: '0' }, enforcedNames: 0 },
      'totals count what is enforced now',
    )
  },
)

t.test('cancelled events, past windows and windows beyond the day do not show', async (t) => {
  const view = buildView(
    inputs({
      events: [
        event('cancelled', 0, 105, { status: 'cancelled' }),
        event('over', -300),
        event('tomorrow-night', 25 * 60),
        event('unknown-competition', 0, 105, { competition: 'nope' }),
      ],
    }),
  )
  t.same(view.windows, { live: [], upcoming: [] }, 'none of them is live or upcoming today')
})

t.test('live windows are ordered by their end, upcoming ones by their start', async (t) => {
  const view = buildView(
    inputs({ events: [event('b', 5, 120), event('a', 0, 90), event('d', 300), event('c', 200)] }),
  )
  t.same(
    view.windows.live.map((w) => w.event),
    ['a', 'b'],
    'the window ending first comes first',
  )
  t.same(
    view.windows.upcoming.map((w) => w.event),
    ['c', 'd'],
    'the window opening first comes first',
  )
})

t.test('ISPs are sorted worst first: a disconnected agent outranks a lagging one', async (t) => {
  const view = buildView(
    inputs({
      agents: [
        agent('a1', 'isp-fine'),
        agent('b1', 'isp-lagging', { lastAckRevision: 9 }),
        agent('c1', 'isp-down', { connected: false }),
        agent('c2', 'isp-down'),
      ],
    }),
  )
  t.same(
    view.isps.map((i) => i.isp),
    ['isp-down', 'isp-lagging', 'isp-fine'],
    'the ISP with a disconnected agent comes first',
  )
  const down = view.isps[0]!
  t.equal(down.severity, 'bad', 'an ISP is as bad as its worst agent')
  t.same(
    down.agents.map((a) => a.id),
    ['c1', 'c2'],
    'within an ISP the disconnected agent comes first',
  )
  t.same(down.agents[0]!.problems, ['disconnected'], 'the problem is named')
  const lagging = view.isps[1]!.agents[0]!
  t.equal(lagging.lag, 1, 'lag is the distance to the current revision')
  t.equal(lagging.severity, 'warn', 'one revision behind needs attention, not alarm')
})

t.test('missing activations make an agent failing; late ones need attention', async (t) => {
  const view = buildView(
    inputs({
      agents: [
        agent('late', 'isp-a', { activations: [{ status: 'late' }, { status: 'on-time' }] }),
        agent('missing', 'isp-b', { activations: [{ status: 'missing' }, { status: 'on-time' }] }),
      ],
    }),
  )
  const [first, second] = view.isps
  t.equal(first?.isp, 'isp-b', 'the ISP that missed an activation comes first')
  t.same(first?.agents[0]?.compliance, { onTime: 1, late: 0, missing: 1 }, 'compliance counts each outcome')
  t.equal(second?.agents[0]?.severity, 'warn', 'a late activation needs attention')
})

t.test('an agent that never acknowledged anything is failing once revisions exist', async (t) => {
  const view = buildView(inputs({ agents: [agent('new', 'isp', { lastAckRevision: null })] }))
  t.equal(view.isps[0]?.agents[0]?.lag, null, 'its lag is unknown')
  t.equal(view.isps[0]?.agents[0]?.severity, 'bad', 'it is failing')
})

t.test('only open complaints are shown, oldest first', async (t) => {
  const view = buildView(
    inputs({
      complaints: [
        { id: 'c2', target: '203.0.113.9', reason: 'shared host', filedAt: now - minute, status: 'open' },
        { id: 'c1', target: '203.0.113.8', reason: 'shared host', filedAt: now - 2 * minute, status: 'open' },
        { id: 'c0', target: '203.0.113.7', reason: 'decided', filedAt: now - 3 * minute, status: 'upheld' },
      ],
    }),
  )
  t.same(
    view.complaints.map((c) => c.id),
    ['c1', 'c2'],
    'decided complaints leave the panel',
  )
})

t.test('the timeline shows the latest revisions newest first with their causes in words', async (t) => {
  const view = buildView(
    inputs({
      events: [event('m1', -10, 105, { title: 'Inter – Milan' })],
      revisions: [
        { revision: 9, issuedAt: now - minute, cause: { kind: 'window-open', event: 'm1' } },
        {
          revision: 10,
          issuedAt: now,
          cause: { kind: 'hot-addition', rightsholder: 'sky-it', prefixes: ['203.0.113.7/32'] },
        },
        { revision: 11, issuedAt: now, cause: { kind: 'complaint-upheld', complaint: 'c_1' } },
      ],
    }),
  )
  t.same(
    view.timeline.map((i) => i.revision),
    [11, 10, 9],
    'newest first',
  )
  t.equal(view.timeline[2]?.label, 'window opened: Inter – Milan', 'a window opening names the match')
  t.equal(view.timeline[1]?.label, 'hot addition: sky-it · 203.0.113.7', 'a hot addition names who and what')
  t.equal(
    view.timeline[0]?.label,
    'complaint upheld: complaint c_1',
    'an upheld complaint names the complaint',
  )
})

t.test('address counts are exact per family, and never add IPv6 to IPv4', async (t) => {
  t.same(addressCount(['2001:db8::/32']), { v4: '0', v6: (2n ** 96n).toString() }, 'a /32 of IPv6 is 2^96')
  t.same(addressCount(['192.0.2.0/24', '198.51.100.7/32']), { v4: '257', v6: '0' }, 'IPv4 prefixes add up')
})

t.test('an address enforced for two live events counts once in the totals', async (t) => {
  const group = (event: string, prefixes: string[]) => ({
    id: `w:${event}`,
    event,
    from: now - minute,
    until: now + 60 * minute,
    prefixes,
  })
  const view = buildView(
    inputs({
      events: [event('a', 0), event('b', 5)],
      groups: [group('a', ['192.0.2.0/24']), group('b', ['192.0.2.0/24', '192.0.2.7/32', '203.0.113.1/32'])],
    }),
  )
  t.same(view.totals.enforcedAddresses, { v4: '257', v6: '0' }, 'the /24 counts once and covers the /32')
  t.equal(view.totals.enforcedEntries, 2, 'entries are counted as the minimal cover of what is enforced')
})

t.test('an upcoming window shows the prefixes already staged at the agents, and none enforced', async (t) => {
  const later = now + 3600_000
  const view = buildView(
    inputs({
      events: [event('m2', 60)],
      groups: [
        { id: 'w:m2', event: 'm2', from: later, until: later + 7_200_000, prefixes: ['203.0.113.0/30'] },
      ],
    }),
  )
  t.match(
    view.windows.upcoming,
    [{ event: 'm2', enforcedEntries: 0, stagedEntries: 1 }],
    'staged 1, enforced 0',
  )
})

t.test(
  'a window counts the domain names its group blocks beside its prefixes, and the totals each name once',
  async (t) => {
    const view = buildView(
      inputs({
        events: [event('m1', -10), event('m2', -5), event('m3', 120)],
        groups: [
          {
            id: 'w:m1',
            event: 'm1',
            from: now - 20 * minute,
            until: now + 150 * minute,
            prefixes: ['203.0.113.7/32'],
            names: ['stream.example', 'cdn.stream.example'],
          },
          {
            id: 'w:m2',
            event: 'm2',
            from: now - 15 * minute,
            until: now + 150 * minute,
            prefixes: [],
            names: ['stream.example'],
          },
          {
            id: 'w:m3',
            event: 'm3',
            from: now + 105 * minute,
            until: now + 300 * minute,
            prefixes: ['192.0.2.1/32'],
            names: ['later.test', 'other.test', 'third.test'],
          },
        ],
      }),
    )
    t.match(
      view.windows.live,
      [
        { event: 'm1', enforcedEntries: 1, enforcedNames: 2 },
        { event: 'm2', enforcedEntries: 0, enforcedNames: 1 },
      ],
      'each live window counts the names its group blocks',
    )
    t.match(
      view.windows.upcoming,
      [{ event: 'm3', enforcedNames: 0, stagedNames: 3, stagedEntries: 1 }],
      'an upcoming window counts its names as staged, none enforced',
    )
    t.equal(view.totals.enforcedNames, 2, 'a name blocked by two live windows counts once in the totals')
    const plain = buildView(
      inputs({
        events: [event('m4', -10)],
        groups: [
          { id: 'w:m4', event: 'm4', from: now - minute, until: now + minute, prefixes: ['192.0.2.9/32'] },
        ],
      }),
    )
    t.match(plain.windows.live, [{ enforcedNames: 0, stagedNames: 0 }], 'a group without names counts 0')
  },
)

t.test('an agent shows the names its resolver enforces only when it reports them', async (t) => {
  const view = buildView(
    inputs({ agents: [agent('dns-1', 'isp-a', { enforcedNames: 12 }), agent('edge-1', 'isp-a')] }),
  )
  const agents = view.isps[0]?.agents ?? []
  t.equal(agents.find((a) => a.id === 'dns-1')?.enforcedNames, 12, 'the DNS agent shows its names')
  t.notOk(
    'enforcedNames' in (agents.find((a) => a.id === 'edge-1') ?? {}),
    'an address-only agent shows none',
  )
})

t.test('a dry-run agent is flagged as not enforcing and its ISP needs attention', async (t) => {
  const view = buildView(
    inputs({ agents: [agent('e1', 'isp-a', { backend: 'dry-run' }), agent('e2', 'isp-a')] }),
  )
  const [isp] = view.isps
  t.match(
    isp,
    { isp: 'isp-a', severity: 'warn', counts: { bad: 0, warn: 1, ok: 1 }, worst: ['dry-run: not enforcing'] },
    'summary',
  )
  t.match(
    isp?.agents[0],
    { id: 'e1', backend: 'dry-run', enforcing: false },
    'the agent says it does not enforce',
  )
  t.same(view.ispCounts, { bad: 0, warn: 1, ok: 0 }, 'ISPs counted by status')
})

t.test(
  'an agent whose clock alarm is raised is failing, says how far off it is, and sorts its ISP first',
  async (t) => {
    const view = buildView(
      inputs({
        agents: [
          agent('late-one', 'isp-attention', { activations: [{ status: 'late' }] }),
          agent('ahead', 'isp-skewed', { clockOffsetMs: 20_040, clockSkewed: true }),
          agent('on-ntp', 'isp-skewed', { clockOffsetMs: -12 }),
          agent('behind', 'isp-behind', { clockOffsetMs: -3_500, clockSkewed: true }),
        ],
      }),
    )
    t.same(
      view.isps.map((i) => i.severity),
      ['bad', 'bad', 'warn'],
      'ISPs with a skewed agent are failing and come before one that only needs attention',
    )
    t.equal(view.isps.at(-1)?.isp, 'isp-attention', 'the late one is last')
    const skewed = view.isps.find((i) => i.isp === 'isp-skewed')
    t.same(skewed?.worst, ['clock 20.0 s ahead'], "the ISP's line says how far ahead")
    t.same(view.isps.find((i) => i.isp === 'isp-behind')?.worst, ['clock 3.5 s behind'], 'or how far behind')
    t.match(
      skewed?.agents.find((a) => a.id === 'on-ntp'),
      { clockOffsetMs: -12, severity: 'ok', problems: [] },
      'an offset within the bound is shown and is no problem',
    )
    t.notOk('clockSkewed' in (skewed?.agents.find((a) => a.id === 'on-ntp') ?? {}), 'and carries no alarm')
  },
)
