/**
 * The dashboard service as a Fastify app: the page, the live view stream, and the actions it
 * forwards to the API. Never listens (server.ts does), so tests drive it with `inject` or on a
 * port of their choosing.
 */
import { bearerAuth, healthPlugin, type Log, metricsPlugin } from '@offside/service'
import { blockingDb, connectRedis, createDb, waitForRevisions } from '@offside/store'
import Fastify, { type FastifyInstance, LogController } from 'fastify'
import { webAssets } from './assets.js'
import { createAuthenticate } from './auth.js'
import type { DashboardConfig } from './config.js'
import { LiveFeed } from './live-feed.js'
import { createMetrics } from './metrics.js'
import { readInputs, snapshotReader } from './read/inputs.js'
import { surveillanceReader } from './read/surveillance.js'
import { actionRoutes } from './routes/actions.js'
import { pageRoutes } from './routes/pages.js'
import { streamRoutes, TOKEN_RECHECK_MS } from './routes/stream.js'
import type { SessionView } from './view.js'
import { buildView } from './view-model.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in viewer of an /api request (set by the auth hook). */
    viewer: SessionView
    viewerToken: string
  }
}

export interface BuildOptions {
  config: DashboardConfig
  /** A pino logger (server.ts passes one); none means silent. */
  logger?: Log
  /** The clock; tests may pin it. */
  now?: () => number
  /** How often an open stream re-checks its token (default 30 s). */
  tokenRecheckMs?: number
}

/** Builds the dashboard app; its Redis connections close with it. */
export async function buildApp(options: BuildOptions): Promise<FastifyInstance> {
  const { config } = options
  const now = options.now ?? Date.now
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    // Request lines would carry the `?token=` a viewer may open the page with.
    logController: new LogController({ disableRequestLogging: true }),
    // Live streams never go idle; closing must not wait for browsers to hang up.
    forceCloseConnections: true,
  })
  const redis = connectRedis(config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 2 })
  const db = createDb(redis, config.keyPrefix)
  // A blocked XREAD holds its connection, so the stream watcher gets one of its own.
  const blocking = blockingDb(db)
  for (const client of [redis, blocking.redis])
    client.on('error', (err) => app.log.error({ err }, 'redis error'))
  const metrics = createMetrics()
  const authenticate = createAuthenticate(db, config.adminToken)

  const readCurrentSnapshot = snapshotReader(db)
  const readCurrentSurveillance = surveillanceReader(db)
  let waiting: Promise<void> | undefined
  let lastRevision = -1
  const feed = new LiveFeed({
    build: async () => {
      const inputs = await readInputs(
        db,
        now(),
        readCurrentSnapshot,
        config.complianceLateMs,
        readCurrentSurveillance,
      )
      // Unknown revision: watching the stream from a guess would wake at once, again and again.
      lastRevision = inputs.unavailable.includes('enforcement') ? -1 : inputs.revision
      return buildView(inputs)
    },
    // One XREAD in flight at a time: a poke must not queue a second one behind it.
    waitForChange: () => {
      if (waiting) return waiting
      const watch =
        lastRevision < 0
          ? new Promise((resolve) => setTimeout(resolve, config.pollMs))
          : waitForRevisions(blocking, lastRevision, config.pollMs, 1)
      waiting = watch
        .then(() => undefined)
        .catch(async (err: unknown) => {
          metrics.readErrors.inc()
          app.log.error({ err }, 'cannot watch the revisions stream')
          await new Promise((resolve) => setTimeout(resolve, config.pollMs))
        })
        .finally(() => {
          waiting = undefined
        })
      return waiting
    },
    onError: (err) => {
      metrics.readErrors.inc()
      app.log.error({ err }, 'cannot build the dashboard view')
    },
  })

  // Ready while Redis answers and the page is built.
  await app.register(healthPlugin, { checks: { redis: () => redis.ping(), page: () => webAssets() } })
  await app.register(metricsPlugin, { registry: metrics.registry })
  pageRoutes(app)
  await app.register(async (api) => {
    api.decorateRequest('viewer', null as unknown as SessionView)
    api.decorateRequest('viewerToken', '')
    api.addHook(
      'onRequest',
      bearerAuth({
        title: 'Sign in with an ops or authority token',
        authenticate,
        accept: (request, viewer, token) => {
          request.viewer = viewer
          request.viewerToken = token
        },
      }),
    )
    api.get('/api/session', async (request) => request.viewer)
    streamRoutes(api, {
      feed,
      metrics,
      authenticate,
      now,
      recheckMs: options.tokenRecheckMs ?? TOKEN_RECHECK_MS,
    })
    actionRoutes(api, { apiUrl: config.apiUrl, feed, metrics })
  })

  app.addHook('onClose', async () => {
    await feed.close()
    blocking.redis.disconnect()
    await redis.quit().catch(() => redis.disconnect())
  })
  return app
}
