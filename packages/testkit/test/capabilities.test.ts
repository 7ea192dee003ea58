import t from 'tap'
import { capabilitiesRequired, kernelLabAvailable } from '../src/capabilities.js'

function recorder() {
  const seen = { plans: [] as (string | undefined)[], failures: [] as string[] }
  return {
    seen,
    plan: (_n: number, comment?: string) => seen.plans.push(comment),
    fail: (message: string) => seen.failures.push(message),
  }
}

t.test(
  'CI=true or OFFSIDE_REQUIRE_ROOT=1 makes capabilities required; otherwise they are optional',
  async (t) => {
    t.ok(capabilitiesRequired({ CI: 'true' }), 'CI=true')
    t.ok(capabilitiesRequired({ OFFSIDE_REQUIRE_ROOT: '1' }), 'OFFSIDE_REQUIRE_ROOT=1')
    t.notOk(capabilitiesRequired({}), 'neither')
    t.notOk(capabilitiesRequired({ CI: 'false' }), 'CI=false')
  },
)

t.test(
  'a missing capability fails the file when required, and skips it (with the reason) otherwise',
  async (t) => {
    const strict = recorder()
    t.notOk(await kernelLabAvailable(strict, ['offside-no-such-command'], { CI: 'true' }), 'not available')
    t.equal(strict.seen.failures.length, 1, 'one failure')
    t.match(strict.seen.failures[0], /offside-no-such-command/, 'naming what is missing')
    t.same(strict.seen.plans, [], 'and no skip')

    const lenient = recorder()
    t.notOk(await kernelLabAvailable(lenient, ['offside-no-such-command'], {}), 'not available')
    t.same(lenient.seen.failures, [], 'no failure')
    t.equal(lenient.seen.plans.length, 1, 'a plan of zero: skipped')
    t.match(lenient.seen.plans[0], /offside-no-such-command/, 'with the reason')
  },
)
