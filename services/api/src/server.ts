// Runs the API: validates configuration, listens, and closes gracefully on SIGTERM/SIGINT.
import { buildApp } from './app.js'
import { ConfigError, loadConfig } from './config.js'

async function main(): Promise<void> {
  const config = loadConfig()
  const app = await buildApp({ config })
  let closing = false
  const close = async (signal: string) => {
    if (closing) return
    closing = true
    app.log.info({ signal }, 'closing')
    await app.close()
    process.exit(0)
  }
  process.on('SIGTERM', () => void close('SIGTERM'))
  process.on('SIGINT', () => void close('SIGINT'))
  await app.listen({ host: config.host, port: config.port })
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    // docs/operations.md: a bad configuration exits 2 naming the variable.
    console.error(`offside api: ${err.message}`)
    process.exit(2)
  }
  console.error(err)
  process.exit(1)
})
