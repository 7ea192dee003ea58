import t from 'tap'
import { DryRunBackend } from '../../src/backends/dry-run.js'

const group = (id: string, from: number, until: number, prefixes: string[]) => ({
  id,
  event: id.slice(2),
  from,
  until,
  prefixes,
})

t.test('the dry-run backend enforces a group exactly while from <= now < until', async (t) => {
  const backend = new DryRunBackend()
  const report = await backend.reconcile([group('w:m1', 1000, 2000, ['203.0.113.7/32'])], 500)
  t.same(report, { enforced: 0, staged: 1, notFitting: [] }, 'staged before from')
  t.same(backend.activePrefixes(999), [], 'not at from - 1')
  t.same(backend.activePrefixes(1000), ['203.0.113.7/32'], 'on at from')
  t.same(backend.activePrefixes(1999), ['203.0.113.7/32'], 'on at until - 1')
  t.same(backend.activePrefixes(2000), [], 'off at until')
})

t.test('the dry-run backend counts what it was asked to do and holds the state it was given', async (t) => {
  const backend = new DryRunBackend()
  await backend.reconcile([], 0)
  const groups = [
    group('w:m1', 0, 5000, ['203.0.113.7/32', '198.51.100.0/24']),
    group('w:m2', 9000, 9500, ['2001:db8::/48']),
  ]
  const report = await backend.apply(
    [
      { op: 'put', group: groups[0]! },
      { op: 'put', group: groups[1]! },
    ],
    groups,
    100,
  )
  t.same(report, { enforced: 2, staged: 1, notFitting: [] }, 'two enforced, one staged')
  await backend.tick(100)
  t.same(backend.counters, { reconciles: 1, applies: 1, ops: 2, ticks: 1 }, 'counters')
})
