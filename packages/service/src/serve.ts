import { createLogger, type Log } from './log.js'
import { runService } from './run.js'

/** What a service that is one HTTP app needs from its configuration. */
export interface ServedConfig {
  host: string
  port: number
  logLevel: string
}

/** The part of a Fastify instance serveApp uses. */
export interface ServedApp {
  listen(options: { host: string; port: number }): Promise<unknown>
  close(): Promise<unknown>
}

export interface ServeAppOptions<C extends ServedConfig> {
  /** The name in messages and in every log line, e.g. "portal". */
  name: string
  /** Reads and validates the configuration (throwing ConfigError). */
  loadConfig(): C
  /** Builds the app, logging through `log`; it is listened on once this resolves. */
  buildApp(config: C, log: Log): Promise<ServedApp>
  /** Where clients reach the service, logged once it listens. */
  url(config: C): string
}

/**
 * Runs a service that is one HTTP app: configuration, the kit's logger, listening, and the
 * graceful close and exit statuses of {@link runService}.
 */
export function serveApp<C extends ServedConfig>(options: ServeAppOptions<C>): Promise<void> {
  return runService({
    name: options.name,
    async start() {
      const config = options.loadConfig()
      const log = createLogger(options.name, config.logLevel)
      const app = await options.buildApp(config, log)
      await app.listen({ host: config.host, port: config.port })
      log.info({ url: options.url(config) }, `${options.name} listening`)
      return { log, close: async () => void (await app.close()) }
    },
  })
}
