import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { defaultGuardConfig, type ProtectedSuffix, parseTarget } from '@offside/core'
import { getProtectedSuffixes, putProtectedSuffixes } from '@offside/store'
import { errors, problem } from '../../errors.js'
import { identityOf } from '../../plugins/auth.js'
import { problemResponses } from '../../schemas/common.js'
import {
  ProtectedSuffixesView,
  PutProtectedSuffixes,
  PutProtectedSuffixesResult,
} from '../../schemas/guard.js'
import { holdNewlyProtectedNames } from './retroactive.js'

/**
 * The protected suffixes (SPEC rule 6 for names): names at or under one are held for review.
 * Editable like the protected ranges, and retroactive like them (SPEC rule 13): a new suffix lifts
 * every enforced name under it at once and files it for review.
 */
const protectedSuffixRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/guard/protected-suffixes',
    {
      config: { roles: ['ops', 'authority'] },
      schema: { tags: ['guard'], response: { 200: ProtectedSuffixesView } },
    },
    async () => {
      const stored = await getProtectedSuffixes(app.db)
      return {
        origin: stored ? 'operator' : 'default',
        suffixes: stored ?? defaultGuardConfig.protectedSuffixes,
      }
    },
  )

  app.put(
    '/guard/protected-suffixes',
    {
      config: { roles: ['ops'] },
      bodyLimit: 16 * 1024 * 1024,
      schema: {
        tags: ['guard'],
        body: PutProtectedSuffixes,
        response: { 200: PutProtectedSuffixesResult, ...problemResponses },
      },
    },
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
        newlyHeld: newlyHeld
          .slice(0, 1000)
          .map((entry) => ({ rightsholder: entry.rightsholder, week: entry.week, target: entry.target })),
      })
      await app.recompute({ kind: 'guard-change' })
      return {
        suffixes: suffixes.length,
        newlyHeld: newlyHeld.map(({ id, rightsholder, week, target }) => ({
          id,
          rightsholder,
          week,
          target,
        })),
      }
    },
  )
}

export default protectedSuffixRoutes
