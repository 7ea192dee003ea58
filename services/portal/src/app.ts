import formbody from '@fastify/formbody'
import { createRegistry, healthPlugin, metricsPlugin } from '@offside/service'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { PortalConfig } from './config.js'
import { createPublicApi, type PublicApi } from './public-api.js'
import { pageRoutes } from './routes/pages.js'

export type { PortalConfig } from './config.js'
export { loadConfig } from './config.js'

export interface BuildOptions {
  config: PortalConfig
  /** A pino logger (server.ts passes one); false or none means silent. */
  logger?: FastifyBaseLogger | false
  /** The public API client; default: one for config.apiUrl. */
  api?: PublicApi
}

/**
 * The public transparency portal (SPEC rule 14): no account, no token, no Redis. It renders the
 * API's public report, look-up and complaint endpoints, so it can show nothing the public API
 * would not. It never listens: server.ts does that.
 */
export async function buildApp(options: BuildOptions): Promise<FastifyInstance> {
  const { config } = options
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    bodyLimit: 16 * 1024,
    return503OnClosing: true,
  })
  await app.register(formbody)
  const api = options.api ?? createPublicApi(config)
  // Ready while the API answers its /readyz.
  await app.register(healthPlugin, { checks: { api: () => api.ready() }, timeoutMs: config.apiTimeoutMs })
  await app.register(metricsPlugin, { registry: createRegistry('offside_portal_') })
  pageRoutes(app, api, config)
  return app
}
