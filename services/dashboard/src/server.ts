/** Starts the dashboard: reads the config, builds the page, listens, closes gracefully (exit statuses: runService). */
import { serveApp } from '@offside/service'
import { buildApp } from './app.js'
import { webAssets } from './assets.js'
import { loadConfig } from './config.js'

await serveApp({
  name: 'dashboard',
  loadConfig,
  async buildApp(config, log) {
    // Build the page before listening so the first visitor never waits for esbuild.
    await webAssets()
    return buildApp({ config, logger: log })
  },
  url: (config) => `http://${config.host}:${config.port}/`,
})
