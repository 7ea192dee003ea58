// Runs the API: validates configuration, listens, and closes gracefully (exit statuses: runService).
import { runService } from '@offside/service'
import { buildApp } from './app.js'
import { loadConfig } from './config.js'

await runService({
  name: 'api',
  async start() {
    const config = loadConfig()
    const app = await buildApp({ config })
    await app.listen({ host: config.host, port: config.port })
    return { log: app.log, close: () => app.close() }
  },
})
