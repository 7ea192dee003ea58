import { readFileSync } from 'node:fs'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { createLogger, healthPlugin } from '@offside/service'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import type { Redis } from 'ioredis'
import type { ApiConfig } from './config.js'
import asnPlugin from './plugins/asn.js'
import auditPlugin from './plugins/audit.js'
import authPlugin from './plugins/auth.js'
import bodyParsers from './plugins/body-parsers.js'
import dbPlugin from './plugins/db.js'
import docsPlugin from './plugins/docs.js'
import durabilityPlugin from './plugins/durability.js'
import guardPlugin from './plugins/guard.js'
import liveStatePlugin from './plugins/live-state.js'
import metricsPlugin from './plugins/metrics.js'
import noticesPlugin from './plugins/notices.js'
import problemPlugin from './plugins/problem.js'
import rateLimitPlugin from './plugins/rate-limit.js'
import triggersPlugin from './plugins/triggers.js'
import agentRoutes from './routes/agents/index.js'
import auditRoutes from './routes/audit/index.js'
import calendarRoutes from './routes/calendar/index.js'
import complaintRoutes from './routes/complaints/index.js'
import guardRoutes from './routes/guard/index.js'
import listRoutes from './routes/lists/index.js'
import surveillanceRoutes from './routes/lists/surveillance.js'
import noticeRoutes from './routes/notices/index.js'
import orderRoutes from './routes/orders/index.js'
import orgRoutes from './routes/orgs/index.js'
import publicRoutes from './routes/public/index.js'
import transparencyRoutes from './routes/public/transparency.js'
import reportRoutes from './routes/reports/index.js'
import stateRoutes from './routes/state/index.js'
import { Problem } from './schemas/common.js'

export type { ApiConfig } from './config.js'
export { loadConfig, testConfig } from './config.js'

/** The API instance type: Fastify with the TypeBox type provider. */
export type App = FastifyInstance

export interface BuildOptions {
  config: ApiConfig
  /** A Redis client to use instead of opening one from config.redisUrl (the caller closes it). */
  redis?: Redis
  /** Logger settings; defaults to pino at config.logLevel with the Authorization header redacted. */
  logger?: FastifyServerOptions['logger']
  /** Where the default logger writes (stdout when absent); its level and redaction stay the production ones. */
  logStream?: { write(line: string): void }
}

/**
 * Builds the API as a composition of plugins. It never listens: server.ts does that, tests use
 * `app.inject`.
 */
export async function buildApp(options: BuildOptions): Promise<FastifyInstance> {
  const { config } = options
  const app = Fastify({
    ...(options.logger !== undefined
      ? { logger: options.logger }
      : { loggerInstance: createLogger('api', config.logLevel, options.logStream) }),
    bodyLimit: config.bodyLimit,
    // Unknown fields are refused (schemas say additionalProperties: false), never silently dropped.
    ajv: { customOptions: { removeAdditional: false, allErrors: false } },
    return503OnClosing: true,
    // Behind a reverse proxy, request.ip (what the public rate limit counts) is the client's.
    trustProxy: config.trustProxy,
    ...(config.tls
      ? { https: { cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) } }
      : {}),
  }).withTypeProvider<TypeBoxTypeProvider>()

  app.addSchema(Problem)
  await app.register(problemPlugin)
  await app.register(metricsPlugin)
  await app.register(dbPlugin, {
    redisUrl: config.redisUrl,
    keyPrefix: config.keyPrefix,
    ...(options.redis ? { redis: options.redis } : {}),
  })
  await app.register(durabilityPlugin)
  await app.register(authPlugin, { adminToken: config.adminToken })
  await app.register(auditPlugin)
  await app.register(triggersPlugin, { redisUrl: config.redisUrl, keyPrefix: config.keyPrefix })
  await app.register(noticesPlugin, { redisUrl: config.redisUrl, keyPrefix: config.keyPrefix })
  await app.register(asnPlugin, { dir: config.asnDbDir })
  await app.register(guardPlugin, { allowSpecial: config.guardAllowSpecial })
  await app.register(liveStatePlugin, { graceMs: config.graceMs })
  await app.register(rateLimitPlugin)
  await app.register(bodyParsers)
  await app.register(docsPlugin)

  // Ready while Redis answers.
  await app.register(healthPlugin, { checks: { redis: () => app.db.redis.ping() } })
  await app.register(orgRoutes, { prefix: '/v1' })
  await app.register(calendarRoutes, { prefix: '/v1', config })
  await app.register(orderRoutes, { prefix: '/v1' })
  await app.register(noticeRoutes, { prefix: '/v1' })
  await app.register(listRoutes, { prefix: '/v1', config })
  await app.register(surveillanceRoutes, { prefix: '/v1' })
  await app.register(guardRoutes, { prefix: '/v1' })
  await app.register(complaintRoutes, { prefix: '/v1', config })
  await app.register(publicRoutes, { prefix: '/v1', config })
  await app.register(transparencyRoutes, { prefix: '/v1', config })
  await app.register(stateRoutes, { prefix: '/v1' })
  await app.register(auditRoutes, { prefix: '/v1' })
  await app.register(agentRoutes, { prefix: '/v1', complianceLateMs: config.complianceLateMs })
  await app.register(reportRoutes, {
    prefix: '/v1',
    complianceLateMs: config.complianceLateMs,
    reportSigningKeyFile: config.reportSigningKeyFile,
  })
  return app
}
