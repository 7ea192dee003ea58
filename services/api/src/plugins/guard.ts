import { type AsnLookup, createGuard, defaultGuardConfig, type GuardConfig } from '@offside/core'
import { getProtectedRanges, getProtectedSuffixes } from '@offside/store'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

export type Guard = ReturnType<typeof createGuard>

/** The operator-maintained tables of the guard. */
export type ProtectedTables = Pick<GuardConfig, 'protectedRanges' | 'protectedSuffixes'>

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The overblocking guard with the protected ranges stored now (read on each call: ops may
     * change them) and the ASN database's lookup, if one is configured.
     */
    currentGuard(): Promise<{ guard: Guard; config: GuardConfig; asnOf?: AsnLookup }>
    /** The guard with given protected tables, to judge a change before it is stored (no ASN check). */
    guardWith(tables: ProtectedTables): { guard: Guard; config: GuardConfig }
  }
}

export default fp(
  async function guardPlugin(app: FastifyInstance, options: { allowSpecial: string[] }) {
    const configWith = (tables: ProtectedTables): GuardConfig => ({
      ...defaultGuardConfig,
      allowSpecial: options.allowSpecial,
      ...tables,
    })
    app.decorate('guardWith', (tables: ProtectedTables) => {
      const config = configWith(tables)
      return { guard: createGuard(config), config }
    })
    app.decorate('currentGuard', async () => {
      const [ranges, suffixes] = await Promise.all([getProtectedRanges(app.db), getProtectedSuffixes(app.db)])
      const config = configWith({
        protectedRanges: ranges ?? defaultGuardConfig.protectedRanges,
        protectedSuffixes: suffixes ?? defaultGuardConfig.protectedSuffixes,
      })
      const asnOf = await app.asnLookup()
      return { guard: createGuard(config, asnOf ? { asnOf } : {}), config, ...(asnOf ? { asnOf } : {}) }
    })
  },
  { name: 'guard', dependencies: ['db', 'asn'] },
)
