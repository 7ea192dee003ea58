// Spans API, scheduler, gateway and an nftables agent in network namespaces: a killed control plane still ends blocks on time.
import { kernelLabAvailable } from '@offside/testkit'
import t from 'tap'
import {
  all,
  BLOCKED_PREFIXES,
  group,
  LAWFUL,
  PIRATE,
  sleep,
  startLab,
  waitFor,
} from '../fixtures/agent-nftables-stack.js'

if (await kernelLabAvailable(t, ['nft'])) {
  t.test(
    'with the control plane killed mid-window, the real agent’s block still ends at until, on real traffic in both families',
    async (t) => {
      const lab = await startLab(t)
      const gateway = await lab.startGateway()
      const agent = await lab.startAgent(gateway.port)
      await waitFor(agent.status, (s) => s.connected, 10_000)

      const from = Date.now() + 5_000
      // Wide enough that, on a loaded 2-core machine, killing the gateway and probing (each probe
      // spawns a process in the namespace) still happens well inside the window.
      const until = from + 15_000
      const revision = await lab.publish([{ op: 'put', group: group('w:m1', from, until, BLOCKED_PREFIXES) }])
      await waitFor(agent.status, (s) => s.revision >= revision, 10_000)
      t.ok(Date.now() < from - 1_000, 'the group reached the agent ahead of its window')
      t.same(
        await lab.reachable([...PIRATE, ...LAWFUL]),
        all([...PIRATE, ...LAWFUL], true),
        'before the window both servers answer',
      )

      await sleep(from + 1_200 - Date.now())
      t.same(
        await lab.reachable(PIRATE),
        all(PIRATE, false),
        'during the window the pirate server is blocked',
      )
      t.same(await lab.reachable(LAWFUL), all(LAWFUL, true), 'during the window the lawful server answers')

      await gateway.kill()
      const cutOff = await waitFor(agent.status, (s) => !s.connected, 5_000)
      t.notOk(cutOff.connected, 'the agent has lost the control plane')
      t.ok(Date.now() < until - 5_000, 'and the window is still open')
      t.same(await lab.reachable(PIRATE), all(PIRATE, false), 'the block holds without the control plane')

      // The window's last seconds: a block that ended early would show here. The rules compare the
      // kernel's clock in whole seconds, so the block is owed until the last second before until.
      const offAt = Math.floor(until / 1000) * 1000
      await sleep(offAt - 1_200 - Date.now())
      const late = await lab.probe([...PIRATE, ...LAWFUL])
      for (const address of PIRATE) {
        const before = offAt - (late[address]?.startedAt ?? offAt)
        t.ok(
          late[address]?.outcome !== 'connected' && before > 50 && before < 5_000,
          `in the window's last seconds ${address} is still blocked (${late[address]?.outcome}, ${before} ms before the block is due off)`,
        )
      }
      for (const address of LAWFUL) t.equal(late[address]?.outcome, 'connected', `and ${address} answers`)

      await sleep(until + 1_200 - Date.now())
      t.same(
        await lab.reachable([...PIRATE, ...LAWFUL]),
        all([...PIRATE, ...LAWFUL], true),
        'after until both servers answer again, with no word from the control plane',
      )
      t.equal((await agent.status()).revision, revision, 'no revision arrived after the kill')
    },
  )
}
