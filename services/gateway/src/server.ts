/** Starts the gateway: reads the config, listens, closes gracefully on SIGTERM/SIGINT. */
import { pino } from 'pino'
import { buildApp } from './app.js'
import { ConfigError, loadConfig } from './config.js'

let config: ReturnType<typeof loadConfig>
try {
  config = loadConfig()
} catch (err) {
  if (!(err instanceof ConfigError)) throw err
  process.stderr.write(`gateway: ${err.message}\n`)
  process.exit(2)
}
const logger = pino({ level: config.logLevel, name: 'gateway' })
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
logger.info({ url: `ws://${config.host}:${config.port}/v1/agents/stream` }, 'gateway listening')
