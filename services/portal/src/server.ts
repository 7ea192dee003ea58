/** Starts the portal: reads the config, listens, closes gracefully (exit statuses: runService). */
import { serveApp } from '@offside/service'
import { buildApp } from './app.js'
import { loadConfig } from './config.js'

await serveApp({
  name: 'portal',
  loadConfig,
  buildApp: (config, log) => buildApp({ config, logger: log }),
  url: (config) => `http://${config.host}:${config.port}/`,
})
