/** Starts the gateway: reads the config, listens, closes gracefully (exit statuses: runService). */
import { serveApp } from '@offside/service'
import { buildApp } from './app.js'
import { loadConfig } from './config.js'

await serveApp({
  name: 'gateway',
  loadConfig,
  buildApp: (config, log) => buildApp({ config, logger: log }),
  url: (config) => `ws://${config.host}:${config.port}/v1/agents/stream`,
})
