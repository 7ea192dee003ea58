import t from 'tap'
import { ConfigError, integer, port, readEnv, sharedEnv, sharedSettings, Type } from '../src/index.js'

const env = { ...sharedEnv, OFFSIDE_X_PORT: port(8080), OFFSIDE_X_COUNT: integer(3, 1, 10) }

t.test('an empty variable is an unset one, so it takes its default in every service', async (t) => {
  const read = readEnv(env, { OFFSIDE_KEY_PREFIX: '', OFFSIDE_X_PORT: '', OFFSIDE_LOG_LEVEL: '' })
  t.equal(sharedSettings(read).keyPrefix, 'offside:', 'the default key prefix, not the empty one')
  t.equal(read.OFFSIDE_X_PORT, 8080, 'the default port')
  t.equal(read.OFFSIDE_LOG_LEVEL, 'warn', 'the default level')
})

t.test(
  'values are converted to their types and variables the schema does not name are ignored',
  async (t) => {
    const read = readEnv(env, { OFFSIDE_X_PORT: '9000', OFFSIDE_X_COUNT: '10', PATH: '/bin' })
    t.equal(read.OFFSIDE_X_PORT, 9000, 'a number')
    t.notOk('PATH' in read, 'nothing else read')
  },
)

t.test('a bad value is refused with a ConfigError naming the variable and the value', async (t) => {
  const refused = (values: NodeJS.ProcessEnv) => {
    try {
      readEnv(env, values)
    } catch (err) {
      t.type(err, ConfigError, 'a ConfigError')
      return (err as Error).message
    }
    return 'accepted'
  }
  t.match(refused({ OFFSIDE_X_PORT: '1.5' }), /OFFSIDE_X_PORT must be integer, got "1.5"/, 'no rounding')
  t.match(refused({ OFFSIDE_X_PORT: '70000' }), /OFFSIDE_X_PORT must be <= 65535/, 'a port is a port')
  t.match(refused({ OFFSIDE_X_COUNT: '0' }), /OFFSIDE_X_COUNT must be >= 1/, 'the minimum holds')
  t.match(refused({ OFFSIDE_LOG_LEVEL: 'loud' }), /OFFSIDE_LOG_LEVEL .*warn, info/, 'levels listed')
  t.match(
    refused({ OFFSIDE_X_PORT: 'x', OFFSIDE_LOG_LEVEL: 'loud' }),
    /OFFSIDE_LOG_LEVEL.*; OFFSIDE_X_PORT|OFFSIDE_X_PORT.*; OFFSIDE_LOG_LEVEL/,
    'every bad variable named at once',
  )
  t.match(
    (() => {
      try {
        readEnv({ OFFSIDE_NEEDED: Type.String() }, {})
        return 'accepted'
      } catch (err) {
        return (err as Error).message
      }
    })(),
    /OFFSIDE_NEEDED is required/,
    'a variable with no default is required',
  )
})

t.test('OFFSIDE_REDIS_URL takes one server, a Sentinel or a Cluster and nothing else', async (t) => {
  const settings = (url: string) => sharedSettings(readEnv(sharedEnv, { OFFSIDE_REDIS_URL: url }))
  t.equal(settings('redis://10.0.0.1:6380').redisUrl, 'redis://10.0.0.1:6380', 'one server')
  t.ok(settings('redis-sentinel://192.0.2.1:26379,192.0.2.2:26379/mymaster'), 'a Sentinel')
  t.throws(() => settings('http://127.0.0.1'), ConfigError, 'another scheme is a ConfigError')
  t.throws(() => settings('http://127.0.0.1'), /OFFSIDE_REDIS_URL/, 'naming the variable')
})
