import { createDb, createToken, publishRevision, revokeToken } from '@offside/store'
import { freePort, startRedis } from '@offside/testkit'
import { Redis } from 'ioredis'
import t from 'tap'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'

const redis = await startRedis(t)
const client = new Redis(redis.url)
t.teardown(() => client.quit())
const db = createDb(client)
const app = await buildApp({
  config: loadConfig({
    OFFSIDE_REDIS_URL: redis.url,
    OFFSIDE_API_URL: `http://127.0.0.1:${await freePort()}`,
    OFFSIDE_DASHBOARD_POLL_MS: '100',
  }),
  tokenRecheckMs: 200,
})
t.teardown(() => app.close())
const url = await app.listen({ host: '127.0.0.1', port: 0 })

/** Reads server-sent events until `until` says stop or the stream ends; returns the event names. */
async function follow(
  token: string,
  until: (events: string[]) => boolean,
): Promise<{ events: string[]; ended: boolean }> {
  const response = await fetch(`${url}/api/stream`, { headers: { authorization: `Bearer ${token}` } })
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
  const events: string[] = []
  let buffer = ''
  for (;;) {
    const { value, done } = await reader.read()
    if (done) return { events, ended: true }
    buffer += value
    for (const match of buffer.matchAll(/^event: (\S+)$/gm)) events.push(match[1]!)
    buffer = buffer.slice(buffer.lastIndexOf('\n\n') + 2)
    if (until(events)) {
      await reader.cancel()
      return { events, ended: false }
    }
  }
}

t.test('a watcher gets the view at once and again when a revision changes it', async (t) => {
  const { token } = await createToken(db, { org: 'task-force', role: 'ops', now: Date.now() })
  let published = false
  const seen = await follow(token, (events) => {
    const views = events.filter((e) => e === 'view').length
    if (views === 1 && !published) {
      published = true
      // A new revision (as the scheduler writes it) must reach the open stream without a reload.
      void publishRevision(db, {
        previous: 0,
        issuedAt: Date.now(),
        cause: { kind: 'list-upload', requestedAt: Date.now(), rightsholder: 'sky-it' },
        ops: [],
        groups: [],
        live: [],
        enforcedCount: 0,
      })
    }
    return views >= 2
  })
  t.ok(seen.events.includes('time'), 'the server clock is sent for the countdowns')
  t.equal(seen.events.filter((e) => e === 'view').length, 2, 'the first view, then the one at revision 1')
})

t.test('a token revoked while its stream is open stops receiving data', async (t) => {
  const { token, record } = await createToken(db, { org: 'task-force', role: 'ops', now: Date.now() })
  const following = follow(token, () => false)
  await new Promise((resolve) => setTimeout(resolve, 300))
  await revokeToken(db, record.id, Date.now())
  const result = await following
  t.ok(result.ended, 'the server ends the stream')
  t.ok(result.events.includes('view'), 'it had received data before the revocation')
})
