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
