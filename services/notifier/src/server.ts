/** Starts the notifier: the `notify` worker, and /healthz, /readyz, /public-key on a small HTTP server. */
import { loadAsnDatabase } from '@offside/asn-db'
import { loadSigningKey } from '@offside/protocol'
import { createLogger, healthPlugin, runService } from '@offside/service'
import { connectRedis, createDb, createQueue } from '@offside/store'
import Fastify from 'fastify'
import { loadConfig } from './config.js'
import { scheduleHostingWeekly } from './hosting-weekly.js'
import { publicKeyOf } from './signature.js'
import { startNotifier } from './worker.js'

await runService({
  name: 'notifier',
  async start() {
    const config = loadConfig()
    const log = createLogger('notifier', config.logLevel)
    const signingKey = await loadSigningKey(config.signingKeyFile)
    const redis = connectRedis(config.redisUrl, { maxRetriesPerRequest: 3 })
    const connection = { redisUrl: config.redisUrl, keyPrefix: config.keyPrefix }
    const notifier = startNotifier({
      redis,
      connection,
      smtpUrl: config.smtpUrl,
      from: config.from,
      signingKey,
      log,
    })
    const notifyQueue = createQueue('notify', connection, log)
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
            log,
          )
        : null

    const app = Fastify({ loggerInstance: log })
    const published = publicKeyOf(signingKey)
    await app.register(healthPlugin, { checks: { redis: () => redis.ping() } })
    // The key webhook receivers verify notices with.
    app.get('/public-key', async (_request, reply) =>
      reply.type('application/x-pem-file').send(published.pem),
    )
    await app.listen({ host: config.host, port: config.port })
    log.info({ port: config.port, keyId: published.keyId }, 'notifier listening')
    return {
      log,
      async close() {
        await Promise.all([app.close(), notifier.close(), hosting?.close(), notifyQueue.close()])
        await redis.quit()
      },
    }
  },
})
