/** Starts the portal: reads the config, listens, closes gracefully (exit statuses: runService). */
import { createLogger, runService } from '@offside/service'
import { buildApp } from './app.js'
import { loadConfig } from './config.js'

await runService({
  name: 'portal',
  async start() {
    const config = loadConfig()
    const log = createLogger('portal', config.logLevel)
    const app = await buildApp({ config, logger: log })
    await app.listen({ host: config.host, port: config.port })
    log.info({ url: `http://${config.host}:${config.port}/` }, 'portal listening')
    return { log, close: () => app.close() }
  },
})
