/** Starts the dashboard: reads the config, builds the page, listens, closes gracefully (exit statuses: runService). */
import { createLogger, runService } from '@offside/service'
import { buildApp } from './app.js'
import { webAssets } from './assets.js'
import { loadConfig } from './config.js'

await runService({
  name: 'dashboard',
  async start() {
    const config = loadConfig()
    const log = createLogger('dashboard', config.logLevel)
    // Build the page before listening so the first visitor never waits for esbuild.
    await webAssets()
    const app = await buildApp({ config, logger: log })
    await app.listen({ host: config.host, port: config.port })
    log.info({ url: `http://${config.host}:${config.port}/` }, 'dashboard listening')
    return { log, close: () => app.close() }
  },
})
