import type { EnforcementGroup } from '@offside/core'
import { kernelLabAvailable } from '@offside/testkit'
import t from 'tap'
import { NAMES, sleep, startResolverLab, TEST_TIMERS } from '../../fixtures/resolver-lab.js'

const resolves = (name: keyof typeof NAMES) => (a: { status: string; addresses: string[] }) =>
  a.status === 'NOERROR' && a.addresses.includes(NAMES[name])
const blocked = (a: { status: string }) => a.status === 'NXDOMAIN'

const group = (from: number, until: number, names: string[], prefixes: string[] = []): EnforcementGroup => ({
  id: 'w:m1',
  event: 'm1',
  from,
  until,
  prefixes,
  names,
})

if (await kernelLabAvailable(t, ['unbound', 'dig', 'nft'])) {
  t.test(
    'a listed name answers NXDOMAIN at Unbound only during its window; hot additions block and upheld complaints unblock at once',
    async (t) => {
      const lab = await startResolverLab(t, 'unbound')
      await lab.startResolver()
      await lab.startExpiryPrimary()
      // One agent, one connection, both planes: nftables for the prefix, the RPZ for the names.
      await lab.startAgent({ backend: 'nftables' })
      const from = Date.now() + 2500
      const until = from + 7000
      lab.gateway.snapshot(1, [group(from, until, ['listed.test'], ['203.0.113.7/32'])])
      const staged = await lab.gateway.waitForAck(1)
      t.equal(staged.stagedNames, 1, 'the ack counts the name as staged before the window')
      t.equal(staged.enforcedNames, 0, 'and nothing enforced yet')

      t.ok(
        resolves('listed.test')(await lab.resolve('listed.test')),
        'before the window the listed name resolves',
      )
      t.ok(resolves('other.test')(await lab.resolve('other.test')), 'and so does an unrelated one')

      await sleep(from - Date.now())
      t.ok(blocked(await lab.waitForAnswer('listed.test', blocked, 3000)), 'during the window it is NXDOMAIN')
      t.ok(resolves('other.test')(await lab.resolve('other.test')), 'while the unrelated name still resolves')

      lab.gateway.delta(2, [
        { op: 'patch', id: 'w:m1', from, until, add: [], remove: [], addNames: ['hot.test'] },
      ])
      const hot = await lab.gateway.waitForAck(2)
      t.equal(hot.enforcedNames, 2, 'the ack of the hot addition counts both names')
      t.equal(hot.enforced, 1, 'and the prefix nftables enforces beside them')
      t.ok(blocked(await lab.waitForAnswer('hot.test', blocked, 3000)), 'a name hot-added mid-window blocks')

      lab.gateway.delta(3, [
        { op: 'patch', id: 'w:m1', from, until, add: [], remove: [], removeNames: ['hot.test'] },
      ])
      await lab.gateway.waitForAck(3)
      t.ok(
        resolves('hot.test')(await lab.waitForAnswer('hot.test', resolves('hot.test'), 3000)),
        'an upheld complaint (the name revoked) unblocks it',
      )
      t.ok(blocked(await lab.resolve('listed.test')), 'and leaves the rest of the list blocked')

      await sleep(until - Date.now())
      const after = await lab.waitForAnswer('listed.test', resolves('listed.test'), 3000)
      t.ok(resolves('listed.test')(after), 'after until the listed name resolves again')
      t.ok(resolves('other.test')(await lab.resolve('other.test')), 'and so does the unrelated one')
    },
  )

  t.test(
    'an agent SIGKILLed mid-window: Unbound answers the name again by until plus the documented bound',
    async (t) => {
      const lab = await startResolverLab(t, 'unbound')
      await lab.startResolver()
      await lab.startExpiryPrimary()
      const agent = await lab.startAgent()
      const from = Date.now()
      const until = from + 3000
      lab.gateway.snapshot(1, [group(from, until, ['listed.test', '*.wild.test'])])
      await lab.gateway.waitForAck(1)
      t.ok(blocked(await lab.waitForAnswer('listed.test', blocked, 3000)), 'the name is blocked')
      t.ok(
        blocked(await lab.waitForAnswer('www.wild.test', blocked, 3000)),
        'and so is a name under a wildcard',
      )
      t.ok(Date.now() < until, 'the kill comes mid-window')
      await agent.kill()
      const killedAt = Date.now()
      // expire + refresh, plus Unbound's probe of the dead primary (a few 1 s timeouts) and slack.
      const bound = (TEST_TIMERS.expire + TEST_TIMERS.refresh) * 1000 + 8000
      const answer = await lab.waitForAnswer(
        'listed.test',
        resolves('listed.test'),
        until + bound - Date.now(),
      )
      t.ok(resolves('listed.test')(answer), `the name resolves again within until + ${bound} ms`)
      t.ok(Date.now() <= until + bound, 'by until + the bound')
      t.comment(
        `resolved again ${Date.now() - killedAt} ms after the kill, ${Date.now() - until} ms after until`,
      )
    },
  )
}
