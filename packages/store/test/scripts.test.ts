import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { startRedis } from '@offside/testkit'
import { Redis } from 'ioredis'
import t from 'tap'
import { createDb } from '../src/keys.js'
import { runScript } from '../src/scripts.js'

const luaDir = join(import.meta.dirname, '../src/lua')

t.test(
  'every Lua script names its KEYS, ARGV and results in its header, and its key count in its name',
  async (t) => {
    const files = readdirSync(luaDir).filter((file) => file.endsWith('.lua'))
    t.ok(files.length > 0, 'the scripts are files')
    for (const file of files) {
      const text = readFileSync(join(luaDir, file), 'utf8')
      const header = text.split('\n').filter((line) => line.startsWith('--'))
      t.ok(
        header.some((line) => line.includes('KEYS[1]')),
        `${file} names its KEYS`,
      )
      t.ok(
        header.some((line) => line.includes('ARGV[1]')),
        `${file} names its ARGV`,
      )
      t.ok(
        header.some((line) => line.startsWith('-- Returns')),
        `${file} names its results`,
      )
      const count = /-(\d+|n)\.lua$/.exec(file)?.[1]
      if (count !== 'n') {
        const used = new Set([...text.matchAll(/KEYS\[(\d+)\]/g)].map((match) => match[1]))
        t.equal(used.size, Number(count), `${file} uses exactly the ${count} keys its name says`)
      }
    }
  },
)

t.test('a script is sent once and run by its hash afterwards', async (t) => {
  const server = await startRedis(t)
  const redis = new Redis(server.url)
  t.teardown(() => redis.disconnect())
  const db = createDb(redis, 'scripts-test:')
  await redis.config('RESETSTAT')
  for (let i = 1; i <= 5; i++) await runScript(redis, 'recordSent', [db.keys.agents.agent('isp-a/a1')], [i])
  const stats = await redis.info('commandstats')
  const calls = (command: string) =>
    Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0)
  // The first EVALSHA may meet NOSCRIPT (Redis has not seen the script) and fall back to EVAL.
  t.ok(calls('evalsha') >= 4, 'the calls after the first run by hash')
  t.ok(calls('eval') <= 1, 'the source went over the wire at most once')
})
