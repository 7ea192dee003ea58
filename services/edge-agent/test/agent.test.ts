import { generateSigningKeyPair, signingKeyFromPem } from '@offside/protocol'
import t from 'tap'
import { StateStore } from '../src/state-journal.js'
import { sleep, startAgent, startFakeGateway } from './fixtures/fake-gateway.js'

const group = (id: string, from: number, until: number, prefixes: string[]) => ({
  id,
  event: id.slice(2),
  from,
  until,
  prefixes,
})

t.test('the agent says hello with its token, id and last applied revision', async (t) => {
  const gw = await startFakeGateway(t)
  await startAgent(t, gw)
  const hello = await gw.waitForHello()
  t.match(hello, { agentId: 'edge-1', lastRevision: 0 }, 'hello')
  t.same(hello.capabilities, ['backend:dry-run'], 'announcing exactly its backend')
  t.equal(gw.headers[0], 'Bearer ofs_test-token', 'token in the Authorization header')
})

t.test('a snapshot and the deltas after it are enforced, persisted and then acknowledged', async (t) => {
  const gw = await startFakeGateway(t)
  const { agent, backend, stateDir } = await startAgent(t, gw)
  await gw.waitForHello()
  const now = Date.now()
  gw.snapshot(7, [group('w:m1', now - 1000, now + 60_000, ['203.0.113.7/32'])])
  const ack7 = await gw.waitForAck(7)
  t.match(ack7, { enforced: 1, staged: 0 }, 'ack carries the counts')
  t.same(ack7.notFitting, [], 'and nothing that did not fit')
  t.same(backend.activePrefixes(Date.now()), ['203.0.113.7/32'], 'the snapshot is enforced')

  gw.delta(8, [
    { op: 'patch', id: 'w:m1', from: now - 1000, until: now + 60_000, add: ['198.51.100.0/24'], remove: [] },
  ])
  await gw.waitForAck(8)
  const { state: persisted } = await StateStore.open(stateDir)
  t.equal(persisted.revision, 8, 'state persisted before the ack')
  t.same(
    persisted.groups.find((g) => g.id === 'w:m1')?.prefixes,
    ['198.51.100.0/24', '203.0.113.7/32'],
    'with the hot addition',
  )
  t.same(agent.enforcedPrefixes(), ['198.51.100.0/24', '203.0.113.7/32'], 'the hot addition is enforced')
})

t.test('a staged group switches on at its from and off at its until by the agent clock alone', async (t) => {
  const gw = await startFakeGateway(t)
  const { backend } = await startAgent(t, gw)
  await gw.waitForHello()
  const from = Date.now() + 400
  gw.snapshot(1, [group('w:m1', from, from + 600, ['203.0.113.7/32'])])
  const ack = await gw.waitForAck(1)
  t.match(ack, { enforced: 0, staged: 1 }, 'staged, not enforced yet')
  for (const socket of gw.sockets) socket.terminate() // the control plane is gone from here on
  while (Date.now() < from + 100) await sleep(20)
  t.same(backend.activePrefixes(Date.now()), ['203.0.113.7/32'], 'on after from')
  while (Date.now() < from + 700) await sleep(20)
  t.same(backend.activePrefixes(Date.now()), [], 'off after until, with no gateway')
})

t.test('a tampered delta is refused and the current enforcement is kept', async (t) => {
  const gw = await startFakeGateway(t)
  const { agent } = await startAgent(t, gw)
  await gw.waitForHello()
  const now = Date.now()
  gw.snapshot(1, [group('w:m1', now - 1000, now + 60_000, ['203.0.113.7/32'])])
  await gw.waitForAck(1)
  gw.delta(2, [{ op: 'drop', id: 'w:m2' }], { tamper: () => [{ op: 'drop', id: 'w:m1' }] })
  const error = await gw.waitForError('bad-signature')
  t.equal(error.revision, 2, 'the refusal names the revision')
  t.same(agent.enforcedPrefixes(), ['203.0.113.7/32'], 'enforcement unchanged')
  t.equal(agent.revision, 1, 'revision unchanged')

  const stranger = signingKeyFromPem(generateSigningKeyPair().privateKeyPem)
  gw.delta(2, [{ op: 'drop', id: 'w:m1' }], { signWith: stranger })
  await gw.waitForError('unknown-key')
  gw.raw('{"v":1,"type":"delta","payload":{"kind":"delta"}}')
  await gw.waitForError('bad-message')
  t.same(
    agent.enforcedPrefixes(),
    ['203.0.113.7/32'],
    'still enforced after an unpinned key and a malformed frame',
  )
  t.equal(agent.status().rejected, 3, 'three refusals counted')
})

t.test('a gap in revisions makes the agent reconnect and ask again from its last revision', async (t) => {
  const gw = await startFakeGateway(t)
  await startAgent(t, gw)
  await gw.waitForHello()
  gw.snapshot(3, [])
  await gw.waitForAck(3)
  const before = gw.received.length
  gw.delta(5, [{ op: 'drop', id: 'w:m1' }])
  await gw.waitForError('revision-gap')
  const hello = await gw.waitForHello(before)
  t.equal(hello.lastRevision, 3, 'the new hello asks from revision 3')
  t.equal(gw.sockets.length, 2, 'on a new connection')
})

t.test('a restarted agent enforces its persisted groups before it reaches any gateway', async (t) => {
  const gw = await startFakeGateway(t)
  const first = await startAgent(t, gw)
  await gw.waitForHello()
  const now = Date.now()
  gw.snapshot(4, [group('w:m1', now - 1000, now + 60_000, ['203.0.113.7/32'])])
  await gw.waitForAck(4)
  await first.stop()

  const offline = { url: 'ws://127.0.0.1:9/v1/agents/stream', trusted: gw.trusted }
  const second = await startAgent(t, offline, { stateDir: first.stateDir })
  t.same(second.backend.activePrefixes(Date.now()), ['203.0.113.7/32'], 'reconciled from the state file')
  t.equal(second.agent.revision, 4, 'remembers its revision')
})

t.test(
  'a restarted agent resumes after a revision that changed no group, with the groups before it',
  async (t) => {
    const gw = await startFakeGateway(t)
    const first = await startAgent(t, gw)
    await gw.waitForHello()
    const now = Date.now()
    gw.snapshot(4, [group('w:m1', now - 1000, now + 60_000, ['203.0.113.7/32'])])
    await gw.waitForAck(4)
    gw.delta(5, [
      {
        op: 'patch',
        id: 'w:m1',
        from: now - 1000,
        until: now + 60_000,
        add: ['198.51.100.0/24'],
        remove: [],
      },
    ])
    await gw.waitForAck(5)
    gw.delta(6, []) // a window opening by the clock: a new revision, no group changed
    const ack6 = await gw.waitForAck(6)
    t.match(ack6, { enforced: 2, staged: 0 }, 'the ack of the empty revision still carries the counts')
    await first.stop()

    const offline = { url: 'ws://127.0.0.1:9/v1/agents/stream', trusted: gw.trusted }
    const second = await startAgent(t, offline, { stateDir: first.stateDir })
    t.equal(second.agent.revision, 6, 'resumes after the empty revision, so it is not asked for again')
    t.same(
      second.backend.activePrefixes(Date.now()),
      ['198.51.100.0/24', '203.0.113.7/32'],
      'with the groups of the last revision that changed them',
    )
  },
)
