import t from 'tap'
import { applyGroupOps } from '../src/group-apply.js'
import type { EnforcementGroup } from '../src/groups.js'
import { closeEnded, currentGroups } from '../src/published-state.js'

const group = (id: string, from: number, until: number): EnforcementGroup => ({
  id,
  event: id.slice(2),
  from,
  until,
  prefixes: ['203.0.113.7/32'],
})

t.test('a group is current until its until, staged or live, and never after', async (t) => {
  const groups = [group('w:ended', 0, 100), group('w:live', 50, 300), group('w:staged', 500, 900)]
  t.same(
    currentGroups(groups, 100).map((g) => g.id),
    ['w:live', 'w:staged'],
    'a group whose until is now has ended; live and staged ones stay',
  )
  t.same(
    currentGroups(groups, 899).map((g) => g.id),
    ['w:staged'],
    'the last group stays until its end',
  )
  t.same(currentGroups(groups, 900), [], 'nothing outlives its until')
})

t.test(
  'closing the ended groups drops exactly those, and applying the drops gives the current groups',
  async (t) => {
    const published = [group('w:a', 0, 100), group('w:b', 0, 200), group('w:c', 150, 400)]
    const { groups, ops } = closeEnded(published, 200)
    t.same(
      ops,
      [
        { op: 'drop', id: 'w:a' },
        { op: 'drop', id: 'w:b' },
      ],
      'one drop per ended group',
    )
    t.same(groups, [published[2]], 'the still-current group is kept as it was')
    t.same(applyGroupOps(published, ops), groups, 'agents applying the drops hold the kept groups')
    t.same(closeEnded(published, 50).ops, [], 'before any until nothing is dropped')
  },
)
