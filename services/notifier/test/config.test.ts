import t from 'tap'
import { loadConfig } from '../src/config.js'

const base = { OFFSIDE_NOTICE_KEY_FILE: '/keys/notice.pem' }

t.test('an empty variable takes its default, as in every other service (one key space)', async (t) => {
  const config = loadConfig({ ...base, OFFSIDE_KEY_PREFIX: '', OFFSIDE_SMTP_URL: '', OFFSIDE_LOG_LEVEL: '' })
  t.equal(config.keyPrefix, 'offside:', 'the shared default prefix, not an empty one')
  t.equal(config.smtpUrl, 'smtp://127.0.0.1:25', 'the default SMTP server')
  t.equal(config.logLevel, 'warn', 'the default log level')
  t.equal(config.hostingEveryMs, 60 * 60_000, 'hosting notices every hour by default')
})

t.test('hosting notices are timed in minutes, fractions included, and named from the portal', async (t) => {
  const config = loadConfig({
    ...base,
    OFFSIDE_HOSTING_NOTICE_EVERY_MINUTES: '0.5',
    OFFSIDE_HOSTING_NOTICE_DELAY_MINUTES: '0',
    OFFSIDE_PORTAL_PUBLIC_URL: 'https://portal.example/',
  })
  t.equal(config.hostingEveryMs, 30_000, 'half a minute')
  t.equal(config.hostingDelayMs, 0, 'no delay')
  t.equal(config.complaintUrl, 'https://portal.example/lookup', 'the portal’s look-up and complaint form')
})

t.test('a bad setting is refused naming the variable', async (t) => {
  const refused = (env: NodeJS.ProcessEnv, variable: string) =>
    t.throws(() => loadConfig(env), { name: 'ConfigError', message: new RegExp(variable) }, variable)
  refused({}, 'OFFSIDE_NOTICE_KEY_FILE')
  refused({ ...base, OFFSIDE_SMTP_URL: 'http://mail.example' }, 'OFFSIDE_SMTP_URL')
  refused({ ...base, OFFSIDE_NOTIFIER_PORT: '70000' }, 'OFFSIDE_NOTIFIER_PORT')
  refused({ ...base, OFFSIDE_HOSTING_NOTICE_EVERY_MINUTES: '-1' }, 'OFFSIDE_HOSTING_NOTICE_EVERY_MINUTES')
  refused({ ...base, OFFSIDE_HOSTING_NOTICE_TIME_ZONE: 'Mars/Olympus' }, 'OFFSIDE_HOSTING_NOTICE_TIME_ZONE')
  refused({ ...base, OFFSIDE_LOG_LEVEL: 'loud' }, 'OFFSIDE_LOG_LEVEL')
})
