import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { defaultGuardConfig, type ProtectedSuffix, parseTarget } from '@offside/core'
import { getProtectedSuffixes, putProtectedSuffixes } from '@offside/store'
import { errors, problem } from '../../errors.js'
import { identityOf } from '../../plugins/auth.js'
import {
  ProtectedSuffixesView,
  PutProtectedSuffixes,
  PutProtectedSuffixesResult,
} from '../../schemas/guard.js'
import * as table from './protected-table.js'
import { holdNewlyProtectedNames } from './retroactive.js'

/**
 * The protected suffixes (SPEC rule 6 for names): names at or under one are held for review.
 * Editable like the protected ranges, and retroactive like them (SPEC rule 13): a new suffix lifts
 * every enforced name under it at once and files it for review.
 */
const protectedSuffixRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/guard/protected-suffixes', table.readOptions(ProtectedSuffixesView), async () => {
    const { origin, rows } = table.inForce(
      await getProtectedSuffixes(app.db),
      defaultGuardConfig.protectedSuffixes,
    )
    return { origin, suffixes: rows }
  })

  app.put(
    '/guard/protected-suffixes',
    table.replaceOptions(PutProtectedSuffixes, PutProtectedSuffixesResult),
    async (request) => {
      const suffixes: ProtectedSuffix[] = request.body.suffixes.map((entry, index) => {
        const parsed = parseTarget(entry.suffix, { allowNames: true })
        const field = `suffixes[${index}].suffix`
        if (!parsed.ok) {
          throw problem(errors.InvalidInput, `suffix ${index}: ${parsed.message}`, {
            index,
            field,
            reason: parsed.reason,
          })
        }
        if (parsed.target.kind !== 'name' || parsed.target.wildcard) {
          throw problem(errors.InvalidInput, `suffix ${index}: give a domain name such as example.org`, {
            index,
            field,
            reason: 'not-a-suffix',
          })
        }
        return {
          suffix: parsed.target.name,
          name: entry.name,
          source: entry.source ?? `operator:${identityOf(request).org}`,
        }
      })
      await putProtectedSuffixes(app.db, suffixes)
      const { config: current } = await app.currentGuard()
      const newlyHeld = await holdNewlyProtectedNames(
        app.db,
        app.guardWith({ protectedRanges: current.protectedRanges, protectedSuffixes: suffixes }),
        Date.now(),
      )
      await app.audit(request, 'guard.protected-suffixes', 'guard:protected-suffixes', {
        suffixes: suffixes.length,
        newlyHeld: table.auditedNewlyHeld(newlyHeld),
      })
      await app.recompute({ kind: 'guard-change' })
      return { suffixes: suffixes.length, newlyHeld: table.newlyHeldRefs(newlyHeld) }
    },
  )
}

export default protectedSuffixRoutes
