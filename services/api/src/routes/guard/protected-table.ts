import type { HeldEntry } from '@offside/store'
import type { FastifyContextConfig } from 'fastify'
import type { TSchema } from 'typebox'
import { routeOptions } from '../options.js'

/** A protected table is replaced whole, so its upload may be far larger than an ordinary body. */
const TABLE_BODY_LIMIT = 16 * 1024 * 1024

/** Ops keep the protected tables; the authority reads them too. */
const tableReaders: FastifyContextConfig = { roles: ['ops', 'authority'] }

/** The options of a route reading a protected table. */
export function readOptions<const V extends TSchema>(view: V) {
  return { config: tableReaders, schema: { tags: ['guard'], response: { 200: view } } }
}

/** The table in force: the one ops stored ("operator"), else the built-in defaults ("default"). */
export function inForce<T>(stored: T[] | null, defaults: readonly T[]) {
  return { origin: stored ? 'operator' : 'default', rows: stored ?? [...defaults] }
}

/** The options of a route by which ops replace a protected table (ranges or suffixes). */
export function replaceOptions<const B extends TSchema, const R extends TSchema>(body: B, result: R) {
  return {
    ...routeOptions({ roles: ['ops'] }, 'guard', { body }, { 200: result }),
    bodyLimit: TABLE_BODY_LIMIT,
  }
}

/** The entries a replaced table put on hold, as its audit record names them (at most the first 1000). */
export function auditedNewlyHeld(newlyHeld: HeldEntry[]) {
  return newlyHeld
    .slice(0, 1000)
    .map((entry) => ({ rightsholder: entry.rightsholder, week: entry.week, target: entry.target }))
}

/** The entries a replaced table put on hold, as the answer names them (HeldRef), targets shown by `show`. */
export function newlyHeldRefs(newlyHeld: HeldEntry[], show: (target: string) => string = (target) => target) {
  return newlyHeld.map(({ id, rightsholder, week, target }) => ({
    id,
    rightsholder,
    week,
    target: show(target),
  }))
}
