import t from 'tap'
import { publishedView } from '../src/published-state.js'

const now = 1_800_000_000_000
const provenance = (event: string) => ({ order: 'o1', rightsholder: 'sky-it', week: '2027-W02', event })

t.test(
  'a listed prefix published only in part is enforced in that part and pending in the rest',
  async (t) => {
    const view = publishedView({
      groups: [
        { id: 'w:m1', event: 'm1', from: now - 1000, until: now + 5000, prefixes: ['203.0.113.0/25'] },
      ],
      justified: [{ prefix: '203.0.113.0/24', until: now + 9000, provenance: [provenance('m1')] }],
      windows: new Map(),
      now,
      graceMs: 1000,
    })
    t.match(
      view.entries,
      [{ prefix: '203.0.113.0/25', until: now + 5000, events: ['m1'], justified: true }],
      'the published half is enforced until the group ends',
    )
    t.match(view.pending, [{ prefix: '203.0.113.128/25', until: now + 9000 }], 'the other half is pending')
    t.equal(view.entries.length, 1, 'one enforced entry, no other')
    t.equal(view.pending.length, 1, 'one pending entry, no other')
    t.equal(view.enforcedCount, 1, 'agents enforce one prefix')
  },
)

t.test(
  'a prefix published by two live windows names both and lasts until the later one ends; published space nobody lists is flagged',
  async (t) => {
    const view = publishedView({
      groups: [
        { id: 'w:m1', event: 'm1', from: now - 1000, until: now + 5000, prefixes: ['198.51.100.0/24'] },
        { id: 'w:m2', event: 'm2', from: now - 1000, until: now + 8000, prefixes: ['198.51.100.7/32'] },
        { id: 'w:m3', event: 'm3', from: now + 1000, until: now + 9000, prefixes: ['192.0.2.0/24'] },
      ],
      justified: [
        { prefix: '198.51.100.7/32', until: now + 8000, provenance: [provenance('m1'), provenance('m2')] },
      ],
      windows: new Map(),
      now,
      graceMs: 1000,
    })
    t.match(
      view.entries[0],
      { prefix: '198.51.100.7/32', until: now + 8000, events: ['m1', 'm2'], justified: true },
      'the listed address names both windows and lasts until the later one ends',
    )
    const rest = view.entries.slice(1)
    t.ok(
      rest.every((entry) => !entry.justified && entry.provenance.length === 0 && entry.events[0] === 'm1'),
      'the rest of the published /24 is shown as enforced for m1 but unjustified',
    )
    t.equal(rest.length, 8, 'as the pieces of the /24 around the listed address')
    t.notOk(
      view.entries.some((entry) => entry.prefix.startsWith('192.0.2.')),
      'a group staged for a window not yet open enforces nothing',
    )
    t.same(
      view.live.map((window) => window.event),
      ['m1', 'm2'],
      'the live windows are those of the active groups',
    )
  },
)
