import { parseGatewayMessage } from '@offside/protocol'
import { currentEpoch, type Db, readAcks, settleHistoryClaims } from '@offside/store'
import t from 'tap'
import type { WebSocket } from 'ws'
import { group, startGateway } from './helper.js'

const hello = (lastRevision: number, history: { epoch?: string; chain?: string } = {}) =>
  JSON.stringify({ v: 1, type: 'hello', agentId: 'edge-1', lastRevision, capabilities: [], ...history })

// biome-ignore lint/suspicious/noExplicitAny: the frames are read as the JSON the gateway sent
type Frame = { type: string; payload?: any; closed?: number }

/** The next snapshot, delta or error, or the close code when the gateway hangs up first. */
function nextFrame(socket: WebSocket): Promise<Frame> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('nothing arrived in 5 s')), 5000)
    const onMessage = (data: unknown) => {
      const parsed = parseGatewayMessage(String(data))
      if (!parsed.ok || parsed.message.type === 'heartbeat') return
      cleanup()
      resolve(parsed.message as unknown as Frame)
    }
    const onClose = (code: number) => {
      cleanup()
      resolve({ type: 'closed', closed: code })
    }
    const cleanup = () => {
      clearTimeout(timer)
      socket.off('message', onMessage)
      socket.off('close', onClose)
    }
    socket.on('message', onMessage)
    socket.on('close', onClose)
  })
}

/** The revision keys as they are now, and a way to put them back: a backup and its restore. */
async function backup(db: Db): Promise<() => Promise<void>> {
  const { counter, stream, snapshot, epoch } = db.keys.revisions
  const keys = [counter, stream, snapshot, epoch]
  const dumps = await Promise.all(keys.map((key) => db.redis.dumpBuffer(key)))
  return async () => {
    for (const [i, key] of keys.entries()) {
      const dump = dumps[i]
      if (dump) await db.redis.restore(key, 0, dump, 'REPLACE')
    }
  }
}

/** Plays the scheduler: waits for the gateway's claim, then settles it (a new history). */
async function settle(db: Db) {
  for (let i = 0; i < 100 && (await db.redis.hlen(db.keys.revisions.claims)) === 0; i++)
    await new Promise((resolve) => setTimeout(resolve, 20))
  const fork = await settleHistoryClaims(db, Date.now())
  if (!fork) throw new Error('no new history was started')
  return fork
}

const now = Date.now()
const m1 = group('w:m1', now, now + 600_000, ['203.0.113.1/32'])
const m2 = group('w:m2', now, now + 600_000, ['203.0.113.2/32'])

t.test(
  'an agent holding a revision the store lost (an older backup restored) gets the snapshot of a new history numbered above it',
  async (t) => {
    const gw = await startGateway(t)
    await gw.publish([{ op: 'put', group: m1 }])
    const restore = await backup(gw.db)
    await gw.publish([{ op: 'put', group: m2 }])
    const first = await gw.connect()
    first.send(hello(0))
    const latest = await nextFrame(first)
    t.match(latest, { type: 'snapshot', payload: { revision: 2 } }, 'the agent reached revision 2')
    const { epoch, chain } = latest.payload
    t.ok(epoch && chain, 'the snapshot names its history')

    await restore()
    const closed = nextFrame(first)
    const second = await gw.connect()
    const waiting = nextFrame(second)
    second.send(hello(2, { epoch, chain }))
    const fork = await settle(gw.db)
    t.ok(fork.revision > 2, 'the scheduler starts a new history numbered above the revision the agent held')
    t.same(
      await waiting,
      { type: 'closed', closed: 4002 },
      'the waiting agent is sent nothing of the old history, then told to reconnect',
    )
    t.same(await closed, { type: 'closed', closed: 4002 }, 'so is a session that followed the old history')
    const third = await gw.connect()
    third.send(hello(2, { epoch, chain }))
    const snapshot = await nextFrame(third)
    t.match(
      snapshot,
      { type: 'snapshot', payload: { revision: fork.revision } },
      'on its next hello, the snapshot',
    )
    t.not(snapshot.payload.epoch, epoch, 'of the new history')
    t.equal(snapshot.payload.epoch, await currentEpoch(gw.db), 'the one the store now follows')
    t.same(
      snapshot.payload.groups.map((g: { id: string }) => g.id),
      ['w:m1'],
      'holding what the restored store publishes: not the group it lost',
    )
    t.same(await readAcks(gw.db, { isp: 'isp-a', agentId: 'edge-1' }, 0), [], 'the lost revision is no ack')
  },
)

t.test(
  'an agent whose revision has the number of one the store republished with other content starts a new history too',
  async (t) => {
    const gw = await startGateway(t)
    await gw.publish([{ op: 'put', group: m1 }])
    const restore = await backup(gw.db)
    await gw.publish([{ op: 'put', group: m2 }])
    const first = await gw.connect()
    first.send(hello(0))
    const held = await nextFrame(first)
    first.terminate()
    await restore()
    await gw.publish([{ op: 'drop', id: 'w:m1' }]) // another revision 2
    const second = await gw.connect()
    second.send(hello(2, { epoch: held.payload.epoch, chain: held.payload.chain }))
    const fork = await settle(gw.db)
    t.equal(fork.revision, 3, 'a new history above both revisions 2')
    const third = await gw.connect()
    third.send(hello(2, { epoch: held.payload.epoch, chain: held.payload.chain }))
    const snapshot = await nextFrame(third)
    t.match(snapshot, { type: 'snapshot', payload: { revision: 3 } }, 'whose snapshot the agent gets')
    t.not(snapshot.payload.epoch, held.payload.epoch, 'of a new history')
    t.same(snapshot.payload.groups, [], 'holding what the store publishes now')
  },
)

t.test('an agent of the same history, sent its revision, resumes with the deltas it misses', async (t) => {
  const gw = await startGateway(t)
  await gw.publish([{ op: 'put', group: m1 }])
  const first = await gw.connect()
  first.send(hello(0))
  const held = await nextFrame(first)
  first.terminate()
  await gw.publish([{ op: 'put', group: m2 }])
  const second = await gw.connect()
  second.send(hello(1, { epoch: held.payload.epoch, chain: held.payload.chain }))
  const next = await nextFrame(second)
  t.match(next, { type: 'delta', payload: { revision: 2, epoch: held.payload.epoch } }, 'the missing delta')
  t.ok(next.payload.chain && next.payload.chain !== held.payload.chain, 'with the next chain')
})

t.test(
  'agents saying hello while revisions are published never see a history change that did not happen',
  async (t) => {
    const gw = await startGateway(t)
    await gw.publish([{ op: 'put', group: m1 }])
    const follower = await gw.connect()
    const followed: Frame[] = []
    follower.on('message', (data) => {
      const parsed = parseGatewayMessage(String(data))
      if (parsed.ok && parsed.message.type !== 'heartbeat') followed.push(parsed.message as unknown as Frame)
    })
    let closedWith: number | undefined
    follower.on('close', (code) => {
      closedWith = code
    })
    follower.send(hello(0))
    // Each hello makes the gateway check the store's history while its reader takes the revision
    // being published: the check must compare the chain of one revision with that revision's own.
    const rounds = 40
    for (let i = 0; i < rounds; i++) {
      const other = await gw.connect()
      const published = gw.publish([
        {
          op: 'patch',
          id: 'w:m1',
          from: m1.from,
          until: m1.until,
          add: [`198.51.100.${i + 1}/32`],
          remove: [],
        },
      ])
      other.send(hello(0))
      const answer = await nextFrame(other)
      await published
      other.terminate()
      if (answer.type !== 'snapshot') {
        t.fail(`hello ${i + 1} was answered ${JSON.stringify(answer)}`)
        break
      }
    }
    for (let i = 0; i < 250 && followed.length < rounds + 1 && closedWith === undefined; i++)
      await new Promise((resolve) => setTimeout(resolve, 20))
    t.equal(closedWith, undefined, 'the agent that followed the revisions was never sent away')
    t.same(
      followed.map((frame) => frame.payload?.revision),
      Array.from({ length: rounds + 1 }, (_, i) => i + 1),
      'and got every revision once, in order',
    )
  },
)
