/** Starts the notifier: the `notify` worker, and /healthz, /readyz, /public-key on a small HTTP server. */
import { loadAsnDatabase } from '@offside/asn-db'
import { isValidTimeZone } from '@offside/core'
import { loadSigningKey } from '@offside/protocol'
import { connectRedis, createDb, createQueue } from '@offside/store'
import Fastify from 'fastify'
import { pino } from 'pino'
import { loadConfig } from './config.js'
import { scheduleHostingWeekly } from './hosting-weekly.js'
import { publicKeyOf } from './signature.js'
import { startNotifier } from './worker.js'

const config = loadConfig()
const logger = pino({ level: config.logLevel, name: 'notifier' })
const signingKey = await loadSigningKey(config.signingKeyFile)
const redis = connectRedis(config.redisUrl, { maxRetriesPerRequest: 3 })
const notifier = startNotifier({
  redis,
  connection: { redisUrl: config.redisUrl, keyPrefix: config.keyPrefix },
  smtpUrl: config.smtpUrl,
  from: config.from,
  signingKey,
  log: logger,
})

if (!isValidTimeZone(config.hostingTimeZone)) {
  logger.fatal({ zone: config.hostingTimeZone }, 'OFFSIDE_HOSTING_NOTICE_TIME_ZONE is not a time zone')
  process.exit(2)
}
const notifyQueue = createQueue('notify', { redisUrl: config.redisUrl, keyPrefix: config.keyPrefix }, logger)
const hosting =
  config.hostingEveryMs > 0
    ? scheduleHostingWeekly(
        {
          db: createDb(redis, config.keyPrefix),
          asnOf: (await loadAsnDatabase(config.asnDbDir ?? undefined)).lookup,
          enqueue: async (notice) => {
            await notifyQueue.add('notify', { notice: notice.id }, { jobId: notice.id })
          },
          complaintUrl: config.complaintUrl,
          timeZone: config.hostingTimeZone,
          delayMs: config.hostingDelayMs,
          ...(config.abuseContactsFile ? { contactsFile: config.abuseContactsFile } : {}),
        },
        config.hostingEveryMs,
        logger,
      )
    : null

const app = Fastify({ loggerInstance: logger })
const published = publicKeyOf(signingKey)
app.get('/healthz', async () => ({ status: 'ok' }))
app.get('/readyz', async (_request, reply) => {
  try {
    await redis.ping()
    return { status: 'ready' }
  } catch (err) {
    return reply.code(503).send({ status: 'not ready', reason: (err as Error).message })
  }
})
// The key webhook receivers verify notices with.
app.get('/public-key', async (_request, reply) => reply.type('application/x-pem-file').send(published.pem))

let closing = false
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    if (closing) return
    closing = true
    const force = setTimeout(() => process.exit(1), 10_000)
    force.unref()
    Promise.all([app.close(), notifier.close(), hosting?.close(), notifyQueue.close()])
      .then(() => redis.quit())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      )
  })
}

await app.listen({ host: config.host, port: config.port })
logger.info({ port: config.port, keyId: published.keyId }, 'notifier listening')
