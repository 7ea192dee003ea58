import { Redis } from 'ioredis'
import t from 'tap'
import { connectRedis, hashTagOf, parseRedisUrl, RedisUrlError } from '../src/connection.js'
import { createDb } from '../src/keys.js'

t.test('a plain redis:// URL is one server, handed to ioredis without our query options', async (t) => {
  t.match(parseRedisUrl('redis://:secret@10.0.0.5:6380/2?replicas=1'), {
    kind: 'standalone',
    url: 'redis://:secret@10.0.0.5:6380/2',
    durability: { replicas: 1, timeoutMs: 500 },
  })
  t.match(parseRedisUrl('rediss://cache.example:6379'), { kind: 'standalone', durability: { replicas: 0 } })
})

t.test(
  'a redis-sentinel:// URL names the Sentinels, the master, the database and the passwords',
  async (t) => {
    t.same(
      parseRedisUrl('redis-sentinel://app:pw@s1.example:26379,[2001:db8::1]:26380/offside/3?replicas=1'),
      {
        kind: 'sentinel',
        sentinels: [
          { host: 's1.example', port: 26379 },
          { host: '2001:db8::1', port: 26380 },
        ],
        name: 'offside',
        db: 3,
        username: 'app',
        password: 'pw',
        sentinelPassword: 'pw',
        tls: false,
        durability: { replicas: 1, timeoutMs: 500 },
      },
    )
    t.match(parseRedisUrl('redis-sentinel://:pw@s1.example:26379/offside?sentinelPassword=other&tls=1'), {
      password: 'pw',
      sentinelPassword: 'other',
      tls: true,
    })
  },
)

t.test('a redis-cluster:// URL names seed nodes and may carry a password', async (t) => {
  t.same(parseRedisUrl('redis-cluster://:pw@10.0.0.1:7000,10.0.0.2:7000?replicas=1&replicaTimeoutMs=250'), {
    kind: 'cluster',
    nodes: [
      { host: '10.0.0.1', port: 7000 },
      { host: '10.0.0.2', port: 7000 },
    ],
    password: 'pw',
    tls: false,
    durability: { replicas: 1, timeoutMs: 250 },
  })
})

t.test('a bad OFFSIDE_REDIS_URL is refused with the reason', async (t) => {
  const cases: [string, RegExp][] = [
    ['http://10.0.0.1:6379', /unknown scheme "http:"/],
    ['redis-sentinel://10.0.0.1:26379', /name the Sentinel master/],
    ['redis-sentinel://10.0.0.1/offside', /not host:port/],
    ['redis-cluster://10.0.0.1:7000/0', /no database number/],
    ['redis-cluster://10.0.0.1:70000', /out of range/],
    ['redis://10.0.0.1:6379,10.0.0.2:6379', /name one server/],
    ['redis://10.0.0.1:6379?replicas=two', /replicas must be a whole number/],
    ['10.0.0.1:6379', /is not a URL/],
  ]
  for (const [url, reason] of cases) {
    t.throws(
      () => parseRedisUrl(url),
      { name: 'RedisUrlError', code: 'OFFSIDE_REDIS_URL_INVALID', message: reason },
      url,
    )
  }
  t.ok(new RedisUrlError('x') instanceof Error)
})

t.test(
  'on a Redis Cluster the key prefix must carry a hash tag, so multi-key changes stay in one slot',
  async (t) => {
    t.equal(hashTagOf('{offside}:orgs'), 'offside')
    t.equal(hashTagOf('offside:orgs'), undefined)
    t.equal(hashTagOf('{}:orgs'), undefined, 'an empty tag hashes the whole key')
    const cluster = connectRedis('redis-cluster://127.0.0.1:1', { lazyConnect: true })
    t.teardown(() => cluster.disconnect())
    t.throws(() => createDb(cluster, 'offside:'), /needs a hash tag, e.g. "\{offside\}:"/)
    t.doesNotThrow(() => createDb(cluster, '{offside}:'))
    const single = new Redis({ lazyConnect: true })
    t.teardown(() => single.disconnect())
    t.doesNotThrow(() => createDb(single, 'offside:'), 'one server takes any prefix')
  },
)
