import { kernelLabAvailable } from '@offside/testkit'
import t from 'tap'
import { NAMES, sleep, startResolverLab, TEST_TIMERS } from '../../fixtures/resolver-lab.js'

type Answer = { status: string; addresses: string[] }
const resolves = (name: keyof typeof NAMES) => (a: Answer) =>
  a.status === 'NOERROR' && a.addresses.includes(NAMES[name])
const LANDING = '192.0.2.80'
const landed = (a: Answer) => a.status === 'NOERROR' && a.addresses.includes(LANDING)

if (await kernelLabAvailable(t, ['named', 'dig'])) {
  t.test('BIND answers a listed name with the landing address only during its window', async (t) => {
    const lab = await startResolverLab(t, 'named')
    await lab.startResolver()
    await lab.startExpiryPrimary()
    await lab.startAgent({ rpz: { landing: [LANDING] } })
    const from = Date.now() + 2500
    const until = from + 6000
    lab.gateway.snapshot(1, [{ id: 'w:m1', event: 'm1', from, until, prefixes: [], names: ['listed.test'] }])
    await lab.gateway.waitForAck(1)
    t.ok(
      resolves('listed.test')(await lab.resolve('listed.test')),
      'before the window the listed name resolves',
    )

    await sleep(from - Date.now())
    const during = await lab.waitForAnswer('listed.test', landed, 4000)
    t.ok(
      landed(during),
      `during the window it answers the landing page's address (${JSON.stringify(during)})`,
    )
    t.ok(resolves('other.test')(await lab.resolve('other.test')), 'while the unrelated name still resolves')

    await sleep(until - Date.now())
    const after = await lab.waitForAnswer('listed.test', resolves('listed.test'), 4000)
    t.ok(resolves('listed.test')(after), 'after until the listed name resolves again')
  })

  t.test(
    'an agent SIGKILLed mid-window: BIND answers the name again by until plus the documented bound',
    async (t) => {
      const lab = await startResolverLab(t, 'named')
      await lab.startResolver()
      await lab.startExpiryPrimary()
      const agent = await lab.startAgent()
      const until = Date.now() + 3000
      lab.gateway.snapshot(1, [
        { id: 'w:m1', event: 'm1', from: Date.now(), until, prefixes: [], names: ['listed.test'] },
      ])
      await lab.gateway.waitForAck(1)
      const blocked = await lab.waitForAnswer('listed.test', (a) => a.status === 'NXDOMAIN', 4000)
      t.equal(blocked.status, 'NXDOMAIN', 'the name is blocked')
      t.ok(Date.now() < until, 'the kill comes mid-window')
      await agent.kill()
      const killedAt = Date.now()
      const bound = (TEST_TIMERS.expire + TEST_TIMERS.refresh) * 1000 + 8000
      const answer = await lab.waitForAnswer(
        'listed.test',
        resolves('listed.test'),
        until + bound - Date.now(),
      )
      t.ok(resolves('listed.test')(answer), `the name resolves again within until + ${bound} ms`)
      t.comment(
        `resolved again ${Date.now() - killedAt} ms after the kill, ${Date.now() - until} ms after until`,
      )
    },
  )
}
