import { type BaseLogger, pino } from 'pino'

/**
 * The one log type: pino's. Code that only logs takes a `Log` (Fastify's `app.log` is one), so a
 * test passes `pino({ level: 'silent' })` instead of a hand-written fake.
 */
export type Log = BaseLogger

/** A service's logger: JSON lines on stdout, tokens and cookies never written. */
export function createLogger(name: string, level: string): pino.Logger {
  return pino({
    name,
    level,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
  })
}
