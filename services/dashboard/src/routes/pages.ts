import type { FastifyInstance } from 'fastify'
import { webAssets } from '../assets.js'

/** The page and its bundled script and styles, all from memory. */
export function pageRoutes(app: FastifyInstance): void {
  const serve = async (path: string, reply: import('fastify').FastifyReply) => {
    const asset = (await webAssets()).get(path)
    if (!asset) return reply.code(404).send({ error: 'not found' })
    // The page itself is never cached so a redeploy shows at once; assets change with it anyway.
    return reply
      .type(asset.type)
      .header('cache-control', 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .send(asset.body)
  }
  app.get('/', (_request, reply) =>
    serve('/', reply.header('content-security-policy', "default-src 'self'; img-src 'self' data:")),
  )
  app.get('/assets/:name', (request, reply) =>
    serve(`/assets/${(request.params as { name: string }).name}`, reply),
  )
}
