import type { FastifyBaseLogger } from 'fastify'
import { pino } from 'pino'

/**
 * The one log type: a pino logger as Fastify types it (`app.log` is one, so is `pino()`). Code
 * that logs takes a `Log`; a test passes `pino({ level: 'silent' })`, not a hand-written fake.
 */
export type Log = FastifyBaseLogger

/**
 * A service's logger: JSON lines on stdout (or `stream`), tokens and cookies never written.
 * Fastify takes it as `loggerInstance`, so request logs are redacted too.
 */
export function createLogger(name: string, level: string, stream?: pino.DestinationStream): Log {
  const options = {
    name,
    level,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
  }
  return stream ? pino(options, stream) : pino(options)
}
