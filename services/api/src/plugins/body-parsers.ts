import type { Readable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { errors } from '../errors.js'

/** Raw body kinds a route may accept besides JSON; the route lists them in `config.bodyTypes`. */
export type RawBodyType = 'csv' | 'calendar'

declare module 'fastify' {
  interface FastifyContextConfig {
    bodyTypes?: RawBodyType[]
  }
}

const RAW_TYPES: Record<RawBodyType, string> = { csv: 'text/csv', calendar: 'text/calendar' }

/**
 * CSV and iCalendar bodies are handed to the route as the raw stream (a 200k-row list is parsed as
 * it arrives, not buffered into a string first), but only on routes that say they take them: any
 * other route answers 415, so a handler never receives a stream it does not expect. text/plain is
 * not accepted anywhere (Fastify would not validate it against the route schema).
 */
export default fp(
  async function bodyParsers(app: FastifyInstance) {
    app.removeContentTypeParser('text/plain')
    // An action with nothing to say (POST …/approve, …/suspend) may send no body at all: read it as {}
    // so the schema's optional fields apply and a missing required field is named, not "body must be object".
    app.addHook('preValidation', async (request) => {
      if (request.body === undefined && (request.method === 'POST' || request.method === 'PUT'))
        request.body = {}
    })
    for (const [kind, mediaType] of Object.entries(RAW_TYPES) as [RawBodyType, string][]) {
      app.addContentTypeParser(mediaType, (request, payload, done) => {
        if (!request.routeOptions.config.bodyTypes?.includes(kind)) {
          done(
            new errors.UnsupportedMediaType(
              `${request.method} ${request.routeOptions.url} does not take ${mediaType}`,
            ),
            undefined,
          )
          return
        }
        done(null, payload)
      })
    }
  },
  { name: 'body-parsers' },
)

/** Reads a raw body stream into a string, refusing it (413) past `limit` bytes. */
export async function readLimited(stream: Readable, limit: number): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of limitBytes(stream, limit)) {
    chunks.push(chunk)
    size += chunk.length
  }
  return Buffer.concat(chunks, size).toString('utf8')
}

/** Passes a raw body through, throwing a 413 problem as soon as it exceeds `limit` bytes. */
export async function* limitBytes(stream: Readable, limit: number): AsyncGenerator<Buffer> {
  let size = 0
  for await (const chunk of stream) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string)
    size += buffer.length
    if (size > limit) {
      stream.destroy()
      throw new errors.PayloadTooLarge(`the request body is larger than ${limit} bytes`)
    }
    yield buffer
  }
}
