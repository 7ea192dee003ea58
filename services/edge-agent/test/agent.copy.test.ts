import t from 'tap'
import { StateStore } from '../src/state-journal.js'
import { startAgent, startFakeGateway, until } from './fixtures/fake-gateway.js'

const cover = ['198.51.100.0/24', '203.0.113.7/32']
const group = (id: string, from: number, until: number, prefixes = cover) => ({
  id,
  event: id.slice(2),
  from,
  until,
  prefixes,
})

t.test('a new window copied from a held one is enforced with its own bounds and persisted', async (t) => {
  const gw = await startFakeGateway(t)
  const { agent, backend, stateDir } = await startAgent(t, gw)
  await gw.waitForHello()
  const now = Date.now()
  gw.snapshot(1, [group('w:m1', now + 60_000, now + 120_000)])
  await gw.waitForAck(1)
  gw.delta(2, [
    { op: 'copy', id: 'w:m2', event: 'm2', from: now - 1000, until: now + 60_000, source: 'w:m1' },
  ])
  const ack = await gw.waitForAck(2)
  t.match(ack, { enforced: 2 }, 'the copy is enforced at once (its from has passed), the source still staged')
  t.same(backend.activePrefixes(Date.now()), cover, 'the device holds the copied prefixes')
  t.equal(agent.status().groups, 2, 'two groups held')
  const { state } = await StateStore.open(stateDir)
  t.same(
    state.groups.map((g) => [g.id, g.from, g.prefixes]),
    [
      ['w:m1', now + 60_000, cover],
      ['w:m2', now - 1000, cover],
    ],
    'a restart replays the copy from the journal to the same groups',
  )
})

t.test(
  'a copy from a group the agent expired by its clock is refused whole, and the agent asks for a snapshot',
  async (t) => {
    const gw = await startFakeGateway(t)
    const { agent, backend, stateDir } = await startAgent(t, gw)
    await gw.waitForHello()
    const now = Date.now()
    const live = group('w:live', now - 1000, now + 60_000, ['192.0.2.0/24'])
    gw.snapshot(5, [live, group('w:m1', now - 1000, now + 300)])
    await gw.waitForAck(5)
    await until(() => agent.status().groups === 1, 'the agent to end w:m1 at its until')
    const before = gw.received.length
    // The control plane still holds w:m1 (its clock is behind the agent's): the delta copies it,
    // and drops another group, which must not happen either.
    gw.delta(6, [
      { op: 'drop', id: 'w:live' },
      { op: 'copy', id: 'w:m2', event: 'm2', from: now - 1000, until: now + 60_000, source: 'w:m1' },
    ])
    const error = await gw.waitForError('unknown-group')
    t.equal(error.revision, 6, 'the refusal names the revision')
    t.match(error.message, /w:m1/, 'and the missing source')
    t.same(
      backend.activePrefixes(Date.now()),
      ['192.0.2.0/24'],
      'enforcement unchanged: the drop was not applied',
    )
    t.equal(agent.revision, 5, 'revision unchanged')
    t.equal((await StateStore.open(stateDir)).state.revision, 5, 'nothing persisted for revision 6')
    const hello = await gw.waitForHello(before)
    t.equal(hello.lastRevision, 0, 'the next hello asks for a snapshot')
    t.equal(hello.epoch, undefined, 'naming no history')
    t.equal(gw.sockets.length, 2, 'on a new connection')
    gw.snapshot(6, [group('w:m2', now - 1000, now + 60_000)])
    await gw.waitForAck(6)
    t.same(backend.activePrefixes(Date.now()), cover, 'the snapshot replaces the state')
    t.equal(agent.status().unknownGroups, 1, 'counted once')
    t.notOk(agent.status().refusing, 'and no longer refusing')
    const next = gw.received.length
    for (const socket of gw.sockets) socket.close()
    const again = await gw.waitForHello(next)
    t.equal(again.lastRevision, 6, 'later hellos resume from the applied revision again')
  },
)

t.test(
  'a snapshot group naming an earlier group as its source is enforced with that group’s prefixes',
  async (t) => {
    const gw = await startFakeGateway(t)
    const { agent, backend, stateDir } = await startAgent(t, gw)
    await gw.waitForHello()
    const now = Date.now()
    gw.snapshot(3, [
      group('w:m1', now + 60_000, now + 120_000),
      { id: 'w:m2', event: 'm2', from: now - 1000, until: now + 60_000, source: 'w:m1' },
    ])
    const ack = await gw.waitForAck(3)
    t.match(ack, { enforced: 2 }, 'the shared group is enforced')
    t.same(backend.activePrefixes(Date.now()), cover, 'with its source’s prefixes')
    t.equal(agent.status().groups, 2, 'two groups held')
    const { state } = await StateStore.open(stateDir)
    t.same(
      state.groups.map((g) => [g.id, g.prefixes]),
      [
        ['w:m1', cover],
        ['w:m2', cover],
      ],
      'and persisted whole',
    )
  },
)
