import { execFileSync } from 'node:child_process'
import { createNetns, kernelLabAvailable } from '@offside/testkit'
import t from 'tap'
import { NftError, runNft } from '../../../src/backends/nftables/nft.js'
import { NftSession } from '../../../src/backends/nftables/nft-session.js'

const TABLE = 'add table inet sessiontest'
const SET = 'add set inet sessiontest hosts { type ipv4_addr; }'

async function elements(netns: string): Promise<string> {
  return runNft({ netns }, ['list', 'set', 'inet', 'sessiontest', 'hosts'])
}

if (await kernelLabAvailable(t, ['nft'])) {
  t.test(
    'a small transaction through the session is applied as one batch: all of it or none of it',
    async (t) => {
      const ns = await createNetns(t, 'nftsess')
      const session = new NftSession({ netns: ns.name })
      t.teardown(() => session.close())

      await session.apply([TABLE, SET, 'add element inet sessiontest hosts { 192.0.2.1 }'])
      t.match(await elements(ns.name), /192\.0\.2\.1/, 'the element is in the kernel once the batch answers')

      await t.rejects(
        session.apply([
          'add element inet sessiontest hosts { 192.0.2.2 }',
          'add element inet sessiontest nosuchset { 192.0.2.3 }',
        ]),
        NftError,
        'a batch with one refused command is refused',
      )
      const after = await elements(ns.name)
      t.notMatch(after, /192\.0\.2\.2/, 'and its other command was not applied either')

      await session.apply(['add element inet sessiontest hosts { 198.51.100.4 }'])
      t.match(await elements(ns.name), /198\.51\.100\.4/, 'the session goes on after a refused batch')
    },
  )

  t.test('a session whose nft died starts a new one for the next transaction', async (t) => {
    const ns = await createNetns(t, 'nftsess')
    const session = new NftSession({ netns: ns.name })
    t.teardown(() => session.close())
    await session.apply([TABLE, SET])
    // The only processes in the test's namespace are the session's (sh exec'd into nft -i).
    const pids = execFileSync('ip', ['netns', 'pids', ns.name], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
    t.ok(pids.length > 0, 'the session keeps an nft running in the namespace')
    for (const pid of pids) process.kill(Number(pid), 'SIGKILL')
    await new Promise((resolve) => setTimeout(resolve, 200))

    await session.apply(['add element inet sessiontest hosts { 203.0.113.5 }'])
    t.match(await elements(ns.name), /203\.0\.113\.5/, 'the transaction after the exit is applied')
  })
}
