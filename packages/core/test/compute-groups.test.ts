import fc from 'fast-check'
import t from 'tap'
import { computeEffectiveState, computeGroups } from '../src/effective-state.js'
import { activeAt } from '../src/groups.js'
import { PrefixSet } from '../src/prefix-set.js'
import { stateInputs } from './fixtures/state-arbitrary.js'
import { at, inputs, list, match, minute, order, sundayMatch } from './fixtures/state-inputs.js'

const hour = 60 * minute
const horizon = 36 * hour
const morning = at('2026-11-29T09:00:00+01:00')

t.test('a window opening within the horizon gets a group staged ahead with its from and until', async (t) => {
  const groups = computeGroups(inputs({ now: morning }), horizon)
  t.same(
    groups,
    [
      {
        id: 'w:m1',
        event: 'm1',
        from: at('2026-11-29T20:30:00+01:00'),
        until: at('2026-11-29T23:10:00+01:00') + 2 * minute,
        prefixes: ['198.51.100.7/32', '203.0.113.0/24'],
      },
    ],
    'one group for the Sunday match, holding both rightsholders lists once',
  )
})

t.test('windows beyond the horizon or already closed have no group; a live one has', async (t) => {
  t.same(computeGroups(inputs({ now: morning }), 11 * hour), [], 'opens 11.5 h later: beyond an 11 h horizon')
  t.equal(computeGroups(inputs({ now: at('2026-11-29T22:00:00+01:00') }), horizon).length, 1, 'live')
  t.equal(
    computeGroups(inputs({ now: at('2026-11-29T23:10:00+01:00') }), horizon).length,
    1,
    'closed but still in its grace',
  )
  t.same(computeGroups(inputs({ now: at('2026-11-29T23:12:00+01:00') }), horizon), [], 'closed + grace')
})

t.test('a cancelled event has no group and a suspended order contributes nothing', async (t) => {
  t.same(
    computeGroups(inputs({ now: morning, events: [{ ...sundayMatch, status: 'cancelled' }] }), horizon),
    [],
    'cancelled',
  )
  const suspended = computeGroups(
    inputs({
      now: morning,
      orders: [order('o1', 'sky-it', { suspended: true }), order('o2', 'dazn', { suspended: true })],
    }),
    horizon,
  )
  t.same(
    suspended.map((g) => g.prefixes),
    [[]],
    'the window still has a group, with nothing to enforce',
  )
})

t.test('group prefixes are the minimal cover of the lists minus revocations', async (t) => {
  const halves = inputs({
    now: morning,
    lists: [list('sky-it', '2026-W48', ['203.0.113.0/25']), list('dazn', '2026-W48', ['203.0.113.128/25'])],
  })
  t.same(computeGroups(halves, horizon)[0]?.prefixes, ['203.0.113.0/24'], 'two halves merge into one /24')
  const revoked = computeGroups(
    inputs({ now: morning, revocations: [{ prefix: '203.0.113.0/25' }] }),
    horizon,
  )
  t.same(revoked[0]?.prefixes, ['198.51.100.7/32', '203.0.113.128/25'], 'the revoked half is gone')
})

t.test('each window of a matchday gets its own group with its own times', async (t) => {
  const early = match('m0', '2026-11-29T15:00:00+01:00', '2026-11-29T16:55:00+01:00', { postMinutes: 10 })
  const groups = computeGroups(inputs({ now: morning, events: [sundayMatch, early] }), horizon)
  t.same(
    groups.map((g) => [g.id, g.from, g.until]),
    [
      ['w:m0', at('2026-11-29T14:45:00+01:00'), at('2026-11-29T17:05:00+01:00') + 2 * minute],
      ['w:m1', at('2026-11-29T20:30:00+01:00'), at('2026-11-29T23:10:00+01:00') + 2 * minute],
    ],
    'earliest first, per-event post minutes respected',
  )
  t.same(groups[0]?.prefixes, groups[1]?.prefixes, 'same week and orders: same prefixes')
  t.not(groups[0]?.prefixes, groups[1]?.prefixes, 'but not the same array, so one group can be patched alone')
})

t.test('the groups active at now enforce exactly the effective state', async (t) => {
  fc.assert(
    fc.property(stateInputs, (inputs) => {
      const active = PrefixSet.from(activeAt(computeGroups(inputs, horizon), inputs.now).map((e) => e.prefix))
      const enforced = PrefixSet.from(computeEffectiveState(inputs).entries.map((e) => e.prefix))
      return active.equals(enforced)
    }),
  )
  t.pass('property held for every generated state')
})

t.test(
  'every group is open now, in its grace or opens within the horizon, and has not reached its until',
  async (t) => {
    fc.assert(
      fc.property(stateInputs, fc.integer({ min: 0, max: 48 * hour }), (inputs, horizonMs) => {
        return computeGroups(inputs, horizonMs).every((g) => {
          const event = inputs.events.find((e) => `w:${e.id}` === g.id)
          return event !== undefined && g.from < inputs.now + horizonMs && g.until > inputs.now
        })
      }),
    )
    t.pass('property held for every generated state')
  },
)
