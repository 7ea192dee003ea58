import t from 'tap'
import { about, createWorld } from './helper.js'

const PREFIX = '203.0.113.7/32'

t.test('a window entering the staging horizon is staged by the tick, before it opens', async (t) => {
  const world = await createWorld(t)
  const kickoff = Date.now() + 4500
  await world.order('o1', 'sky-it', kickoff)
  await world.list('sky-it', kickoff, [PREFIX])
  await world.event('m1', kickoff, kickoff + 500)
  await world.scheduler({ horizonMs: 2500, tickMs: 1000 })

  const start = await world.revisions()
  t.notOk(
    start.some((r) => r.ops.some((op) => op.op === 'put' && op.group.prefixes.length > 0)),
    'a window beyond the horizon is not sent on start',
  )
  const records = await world.waitFor((r) => about(r, 'window-open', 'm1').length > 0, 8000)
  const staged = records.find((r) => r.ops.some((op) => op.op === 'put' && op.group.id === 'w:m1'))
  t.ok(staged, 'the group is sent once the window is within the horizon')
  t.equal(staged?.cause.reason, 'staging-horizon', 'by the tick')
  t.ok((staged?.issuedAt ?? Number.POSITIVE_INFINITY) < kickoff, 'before the window opens')
  t.equal(about(records, 'window-open', 'm1')[0]?.cause.scheduledAt, kickoff, 'and it opens on time')
})

t.test(
  "a window staged beside another over the same list carries that window's group as a copy, not its prefixes",
  async (t) => {
    const world = await createWorld(t)
    const kickoff = Date.now() + 60_000
    const prefixes = Array.from({ length: 40 }, (_, i) => `198.51.100.${i * 4}/32`)
    await world.order('o1', 'sky-it', kickoff)
    await world.list('sky-it', kickoff, prefixes)
    await world.event('m1', kickoff, kickoff + 500)
    await world.scheduler()
    await world.waitFor((r) => r.some((record) => record.ops.some((op) => op.op === 'put')))
    await world.event('m2', kickoff + 1000, kickoff + 2000)
    await world.trigger('event-change', { event: 'm2' })
    const records = await world.waitFor((r) =>
      r.some((record) => record.ops.some((op) => op.op !== 'drop' && 'id' in op && op.id === 'w:m2')),
    )
    const staging = records.flatMap((record) => record.ops).filter((op) => op.op === 'copy')
    t.match(staging, [{ op: 'copy', id: 'w:m2', event: 'm2', source: 'w:m1' }], 'one copy of w:m1')
    t.notOk(
      records.some((record) => record.ops.some((op) => op.op === 'put' && op.group.id === 'w:m2')),
      'and no put of its 40 prefixes',
    )
  },
)
