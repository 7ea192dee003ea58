import { type AsnLookup, createGuard, defaultGuardConfig, type GuardConfig } from '@offside/core'
import { getProtectedRanges } from '@offside/store'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

export type Guard = ReturnType<typeof createGuard>

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The overblocking guard with the protected ranges stored now (read on each call: ops may
     * change them) and the ASN database's lookup, if one is configured.
     */
    currentGuard(): Promise<{ guard: Guard; config: GuardConfig; asnOf?: AsnLookup }>
    /** The guard with given protected ranges, to judge a change before it is stored (no ASN check). */
    guardWith(protectedRanges: GuardConfig['protectedRanges']): { guard: Guard; config: GuardConfig }
  }
}

export default fp(
  async function guardPlugin(app: FastifyInstance, options: { allowSpecial: string[] }) {
    const configWith = (protectedRanges: GuardConfig['protectedRanges']): GuardConfig => ({
      ...defaultGuardConfig,
      allowSpecial: options.allowSpecial,
      protectedRanges,
    })
    app.decorate('guardWith', (protectedRanges: GuardConfig['protectedRanges']) => {
      const config = configWith(protectedRanges)
      return { guard: createGuard(config), config }
    })
    app.decorate('currentGuard', async () => {
      const config = configWith((await getProtectedRanges(app.db)) ?? defaultGuardConfig.protectedRanges)
      const asnOf = await app.asnLookup()
      return { guard: createGuard(config, asnOf ? { asnOf } : {}), config, ...(asnOf ? { asnOf } : {}) }
    })
  },
  { name: 'guard', dependencies: ['db', 'asn'] },
)
