import { createGuard, defaultGuardConfig, type GuardConfig } from '@offside/core'
import { getProtectedRanges } from '@offside/store'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

export type Guard = ReturnType<typeof createGuard>

declare module 'fastify' {
  interface FastifyInstance {
    /** The overblocking guard with the protected ranges stored now (read on each call: ops may change them). */
    currentGuard(): Promise<{ guard: Guard; config: GuardConfig }>
    /** The guard with given protected ranges, to judge a change before it is stored. */
    guardWith(protectedRanges: GuardConfig['protectedRanges']): { guard: Guard; config: GuardConfig }
  }
}

export default fp(
  async function guardPlugin(app: FastifyInstance, options: { allowSpecial: string[] }) {
    const guardWith = (protectedRanges: GuardConfig['protectedRanges']) => {
      const config: GuardConfig = {
        ...defaultGuardConfig,
        allowSpecial: options.allowSpecial,
        protectedRanges,
      }
      return { guard: createGuard(config), config }
    }
    app.decorate('guardWith', guardWith)
    app.decorate('currentGuard', async () =>
      guardWith((await getProtectedRanges(app.db)) ?? defaultGuardConfig.protectedRanges),
    )
  },
  { name: 'guard', dependencies: ['db'] },
)
