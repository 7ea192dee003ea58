/** Starts the dashboard: reads the config, builds the page, listens, closes gracefully on signals. */
import { pino } from 'pino'
import { buildApp } from './app.js'
import { webAssets } from './assets.js'
import { ConfigError, loadConfig } from './config.js'

const config = (() => {
  try {
    return loadConfig()
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    // docs/operations.md: a bad configuration exits 2 naming the variable.
    console.error(`offside dashboard: ${err.message}`)
    process.exit(2)
  }
})()
const logger = pino({ level: config.logLevel, name: 'dashboard' })
// Build the page before listening so the first visitor never waits for esbuild.
await webAssets()
const app = await buildApp({ config, logger })

let closing = false
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    if (closing) return
    closing = true
    logger.info({ signal }, 'closing')
    const force = setTimeout(() => process.exit(1), 10_000)
    force.unref()
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'close failed')
        process.exit(1)
      },
    )
  })
}

await app.listen({ host: config.host, port: config.port })
logger.info({ url: `http://${config.host}:${config.port}/` }, 'dashboard listening')
