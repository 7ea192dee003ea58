import { startRedis } from '@offside/testkit'
import { Redis } from 'ioredis'
import t from 'tap'
import { appendAudit } from '../src/audit.js'
import { createDb } from '../src/keys.js'
import { watchedChange } from '../src/optimistic.js'

const clients = async (redis: Redis) => ((await redis.client('LIST')) as string).trim().split('\n').length

const audit = (n: number) => ({ at: n, actor: null, action: 'test.write', subject: `n:${n}` })

t.test('watched changes one after another run on one kept connection, not one each', async (t) => {
  const server = await startRedis(t)
  const redis = new Redis(server.url)
  t.teardown(() => redis.quit())
  const db = createDb(redis, 'test:')
  const used = new Set<number>()
  for (let n = 0; n < 20; n++) {
    await watchedChange(db, ['test:k'], 'k', async (conn) => {
      used.add((await conn.client('ID')) as number)
      return { tx: conn.multi().incr('test:k'), result: null }
    })
  }
  t.equal(used.size, 1, 'one connection served all 20 changes')
  t.equal(await redis.get('test:k'), '20', 'and each change committed')
  await Promise.all(Array.from({ length: 20 }, (_, n) => appendAudit(db, audit(n))))
  t.equal(await redis.xlen(db.keys.audit), 20, 'a concurrent burst still chains every record once')
  t.match(await redis.get(db.keys.auditHead), /^20 /, 'the head is the 20th record')
})

t.test('a change whose read threw leaves no watch behind for the next one', async (t) => {
  const server = await startRedis(t)
  const redis = new Redis(server.url)
  t.teardown(() => redis.quit())
  const db = createDb(redis, 'test:')
  await t.rejects(
    watchedChange(db, ['test:k'], 'k', async () => {
      throw new Error('read failed')
    }),
    /read failed/,
    'the failure reaches the caller',
  )
  await redis.set('test:k', 'moved') // would abort an EXEC still watching test:k
  let attempts = 0
  await watchedChange(db, ['test:other'], 'other', async (conn) => {
    attempts++
    return { tx: conn.multi().set('test:other', 'written'), result: null }
  })
  t.equal(attempts, 1, 'the next change commits at its first attempt')
  t.equal(await redis.get('test:other'), 'written', 'and its write is stored')
})

t.test('closing the client closes the connections kept for watched changes', async (t) => {
  const server = await startRedis(t)
  const observer = new Redis(server.url)
  t.teardown(() => observer.quit())
  const redis = new Redis(server.url)
  const db = createDb(redis, 'test:')
  await Promise.all(Array.from({ length: 4 }, (_, n) => appendAudit(db, audit(n))))
  t.ok((await clients(observer)) > 2, 'connections are kept while the client is open')
  await redis.quit()
  for (let i = 0; i < 50 && (await clients(observer)) > 1; i++) await new Promise((r) => setTimeout(r, 20))
  t.equal(await clients(observer), 1, 'only the observer is still connected')
})
