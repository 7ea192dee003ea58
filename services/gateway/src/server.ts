/** Starts the gateway: reads the config, listens, closes gracefully (exit statuses: runService). */
import { createLogger, runService } from '@offside/service'
import { buildApp } from './app.js'
import { loadConfig } from './config.js'

await runService({
  name: 'gateway',
  async start() {
    const config = loadConfig()
    const log = createLogger('gateway', config.logLevel)
    const app = await buildApp({ config, logger: log })
    await app.listen({ host: config.host, port: config.port })
    log.info({ url: `ws://${config.host}:${config.port}/v1/agents/stream` }, 'gateway listening')
    return { log, close: () => app.close() }
  },
})
