import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { type Static, Type } from 'typebox'

/** One readiness condition: resolves when met, throws (with a reason) when not. */
export type ReadinessCheck = () => Promise<unknown> | unknown

export interface HealthOptions {
  /** Named checks /readyz runs together, e.g. `{ redis: () => redis.ping() }`. */
  checks: Record<string, ReadinessCheck>
  /** A check that has not answered within this is failed (Redis retrying must not hang a probe). */
  timeoutMs?: number
}

export const HealthStatus = Type.Object({ status: Type.String(), reason: Type.Optional(Type.String()) })
export type HealthStatus = Static<typeof HealthStatus>

async function within(check: ReadinessCheck, name: string, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
  })
  try {
    await Promise.race([Promise.resolve().then(check), timeout])
  } catch (err) {
    throw new Error(`${name}: ${(err as Error).message}`)
  } finally {
    clearTimeout(timer)
  }
}

/**
 * `/healthz` (the process answers: `{status: "ok"}`) and `/readyz` (every check passes:
 * `{status: "ready"}`, else 503 `{status: "not ready", reason}` naming the failed check). Both are
 * public (`config.public`) and documented under the `health` tag.
 */
export const healthPlugin = fp(
  async function healthPlugin(app: FastifyInstance, options: HealthOptions) {
    const timeoutMs = options.timeoutMs ?? 1000
    const schema = { tags: ['health'], response: { 200: HealthStatus, 503: HealthStatus } }
    app.get('/healthz', { config: { public: true }, schema }, async () => ({ status: 'ok' }))
    app.get('/readyz', { config: { public: true }, schema }, async (_request, reply) => {
      try {
        await Promise.all(
          Object.entries(options.checks).map(([name, check]) => within(check, name, timeoutMs)),
        )
        return { status: 'ready' }
      } catch (err) {
        return reply.code(503).send({ status: 'not ready', reason: (err as Error).message })
      }
    })
  },
  { name: 'offside-health' },
)

/** A check that fails with `reason` until `ready()` says yes (e.g. a scheduler catching up). */
export function condition(ready: () => boolean, reason: string): ReadinessCheck {
  return () => {
    if (!ready()) throw new Error(reason)
  }
}
