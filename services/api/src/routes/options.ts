import type { FastifyContextConfig } from 'fastify'
import type { TSchema } from 'typebox'
import { problemResponses } from '../schemas/common.js'

/**
 * A route's options in one call: who may call it, its OpenAPI tag, its request schema, and its
 * answers, to which every 4xx problem (problem+json, with field and reason) is added.
 */
export function routeOptions<const S extends object, const R extends Record<number, TSchema>>(
  config: FastifyContextConfig,
  tag: string,
  schema: S,
  response: R,
) {
  return { config, schema: { tags: [tag], ...schema, response: { ...response, ...problemResponses } } }
}
