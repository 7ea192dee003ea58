import { type AsnDatabase, loadAsnDatabase } from '@offside/asn-db'
import type { AsnLookup } from '@offside/core'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

declare module 'fastify' {
  interface FastifyInstance {
    /** Which autonomous systems announce a prefix, from the offline database; undefined when off. */
    asnLookup(): Promise<AsnLookup | undefined>
  }
}

/** One load per folder per process: several app instances (tests, embedding) share the tables. */
const loaded = new Map<string, Promise<AsnDatabase>>()

/** The offline IP-to-ASN database, loaded on first use (SPEC rule 6, 14). */
export default fp(
  async function asnPlugin(app: FastifyInstance, options: { dir: string | null }) {
    const { dir } = options
    app.decorate('asnLookup', async () => {
      if (dir === null) return undefined
      let database = loaded.get(dir)
      if (!database) {
        database = loadAsnDatabase(dir)
        loaded.set(dir, database)
        database.catch(() => loaded.delete(dir))
      }
      return (await database).lookup
    })
  },
  { name: 'asn' },
)
