/**
 * How every service process starts and stops, so they all exit alike (docs/operations.md "Exit
 * statuses"): 0 after a clean close on SIGTERM/SIGINT, 1 when starting fails, closing fails or
 * takes longer than `closeDelayMs`, or an error escapes, 2 when the configuration is refused.
 */
import closeWithGrace from 'close-with-grace'
import { ConfigError } from './config.js'
import type { Log } from './log.js'

export const EXIT = { closed: 0, failed: 1, config: 2 } as const

/** A started service: its logger and how to close everything it opened. */
export interface RunningService {
  log: Log
  close(): Promise<void>
}

export interface RunServiceOptions {
  /** The name in messages, e.g. "api". */
  name: string
  /** Reads the configuration (throwing {@link ConfigError}), opens connections, listens. */
  start(): Promise<RunningService>
  /** How long closing may take before the process exits anyway (default 10 s). */
  closeDelayMs?: number
}

/** Starts the service and closes it gracefully on SIGTERM/SIGINT or an uncaught error. */
export async function runService(options: RunServiceOptions): Promise<void> {
  let service: RunningService
  try {
    service = await options.start()
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`offside ${options.name}: ${err.message}\n`)
      process.exit(EXIT.config)
    }
    process.stderr.write(`offside ${options.name}: cannot start: ${(err as Error).stack ?? err}\n`)
    process.exit(EXIT.failed)
  }
  const { log } = service
  closeWithGrace(
    {
      delay: options.closeDelayMs ?? 10_000,
      logger: { error: (message: unknown) => log.error({ err: message }, 'close failed') },
      // An idle event loop is not a reason to stop a server.
      skip: ['beforeExit'],
    },
    async ({ signal, err }) => {
      if (err) log.error({ err }, 'closing after an uncaught error')
      else log.info({ signal }, 'closing')
      await service.close()
    },
  )
}
