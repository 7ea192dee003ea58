/** Starts the portal: reads the config, listens, closes gracefully on signals. */
import { pino } from 'pino'
import { buildApp } from './app.js'
import { loadConfig } from './config.js'

const config = loadConfig()
const logger = pino({ level: config.logLevel, name: 'portal' })
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
logger.info({ url: `http://${config.host}:${config.port}/` }, 'portal listening')
