import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errors } from '../../errors.js'

/**
 * Agents and compliance. A stub that answers 501 until the gateway engineer fills it in (this
 * file is theirs from now on).
 */
const agentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const readers = { roles: ['authority' as const, 'ops' as const, 'isp' as const] }
  const notYet = async (): Promise<never> => {
    throw new NotImplemented('not implemented yet')
  }
  app.get('/agents', { config: readers, schema: { tags: ['agents'] } }, notYet)
  app.get('/reports/compliance', { config: readers, schema: { tags: ['agents'] } }, notYet)
}

const NotImplemented = errors.NotImplemented

export default agentRoutes
