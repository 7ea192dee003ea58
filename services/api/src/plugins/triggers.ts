import { createQueue, type RecomputeJob, requestRecompute } from '@offside/store'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

type Cause = Omit<RecomputeJob['cause'], 'requestedAt'>

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Asks the scheduler for a new revision at once, after a change that affects enforcement. A
     * failure to enqueue is logged, not thrown: the change is stored and the scheduler's periodic
     * catch-up will publish it.
     */
    recompute(cause: Cause): Promise<void>
  }
}

export default fp(
  async function triggersPlugin(app: FastifyInstance, options: { redisUrl: string; keyPrefix: string }) {
    const queue = createQueue('recompute', options, app.log)
    app.decorate('recompute', async (cause: Cause) => {
      try {
        await requestRecompute(queue, { ...cause, requestedAt: Date.now() })
      } catch (err) {
        app.log.error({ err, cause: cause.kind }, 'could not request a recompute')
      }
    })
    app.addHook('onClose', async () => {
      await queue.close()
    })
  },
  { name: 'triggers' },
)
