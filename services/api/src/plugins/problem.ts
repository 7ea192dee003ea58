import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify'
import fp from 'fastify-plugin'
import type { ProblemExtras } from '../errors.js'

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

interface ValidationIssue {
  instancePath?: string
  keyword?: string
  params?: Record<string, unknown>
  message?: string
}

/** "/entries/12/target" → field "entries[12].target", index 12. Missing/unknown properties name themselves. */
function describeValidation(
  issue: ValidationIssue,
  context: string | undefined,
): { field: string; index?: number; reason: string } {
  const segments = (issue.instancePath ?? '').split('/').filter(Boolean)
  if (issue.keyword === 'additionalProperties' && typeof issue.params?.additionalProperty === 'string') {
    segments.push(issue.params.additionalProperty)
  }
  if (issue.keyword === 'required' && typeof issue.params?.missingProperty === 'string') {
    segments.push(issue.params.missingProperty)
  }
  const indexSegment = segments.findIndex((segment) => /^\d+$/.test(segment))
  const field = segments.reduce(
    (path, segment) =>
      /^\d+$/.test(segment) ? `${path}[${segment}]` : path ? `${path}.${segment}` : segment,
    '',
  )
  const reason =
    issue.keyword === 'additionalProperties'
      ? 'unknown field'
      : issue.keyword === 'required'
        ? 'required'
        : (issue.message ?? 'invalid')
  return {
    field: [context, field].filter(Boolean).join('.') || (context ?? 'body'),
    ...(indexSegment >= 0 ? { index: Number(segments[indexSegment]) } : {}),
    reason,
  }
}

/** Sends an application/problem+json answer. */
/**
 * Redis answers a write over `maxmemory` with an OOM error; inside MULTI the queued command is
 * refused and EXEC aborts the whole transaction (EXECABORT, the OOM among `previousErrors`).
 */
function isStoreFull(error: unknown): boolean {
  const oom = (e: unknown) => e instanceof Error && e.message.startsWith('OOM ')
  const previous = (error as { previousErrors?: unknown[] } | null)?.previousErrors
  return oom(error) || (Array.isArray(previous) && previous.some(oom))
}

export function sendProblem(
  reply: FastifyReply,
  status: number,
  detail: string,
  extras: ProblemExtras & { code?: string } = {},
) {
  const code = extras.code
  return reply
    .code(status)
    .type('application/problem+json')
    .send({
      type: code
        ? `https://offside.invalid/problems/${code
            .toLowerCase()
            .replace(/^offside_/, '')
            .replaceAll('_', '-')}`
        : 'about:blank',
      title: TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error'),
      status,
      detail,
      ...extras,
    })
}

/**
 * One error handler for the whole API: validation errors, unknown routes, oversize bodies, auth
 * failures and domain errors all become problem+json. 5xx answers say nothing about internals (no
 * stack, no message) and are logged with the error.
 */
export default fp(
  async function problemPlugin(app: FastifyInstance) {
    app.setErrorHandler((error: FastifyError & { problem?: ProblemExtras }, request, reply) => {
      if (error.validation) {
        const issues = error.validation.map((issue) => describeValidation(issue, error.validationContext))
        const first = issues[0]!
        return sendProblem(reply, 400, `${first.field}: ${first.reason}`, {
          code: 'OFFSIDE_VALIDATION',
          field: first.field,
          ...(first.index !== undefined ? { index: first.index } : {}),
          reason: first.reason,
          errors: issues.slice(0, 50),
        })
      }
      if (isStoreFull(error)) {
        // Redis refused a write at its memory limit (maxmemory, noeviction). Every change is one
        // transaction or script, so the refusal changed nothing; reads, pushes to agents and
        // enforcement go on. The client may retry once ops have made room.
        request.log.error({ err: error }, 'Redis is full: write refused')
        reply.header('retry-after', '30')
        return sendProblem(reply, 503, 'the store is full and refused the change; nothing was written', {
          code: 'OFFSIDE_STORE_FULL',
        })
      }
      const status = error.statusCode ?? 500
      if (status >= 500) {
        request.log.error({ err: error }, 'request failed')
        return sendProblem(reply, status, 'the server could not complete the request', {
          code: 'OFFSIDE_INTERNAL',
        })
      }
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        return sendProblem(reply, 413, 'the request body is larger than this endpoint accepts', {
          code: 'OFFSIDE_PAYLOAD_TOO_LARGE',
        })
      }
      if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
        return sendProblem(reply, 415, error.message, {
          code: 'OFFSIDE_UNSUPPORTED_MEDIA_TYPE',
          field: 'content-type',
        })
      }
      if (
        error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
        error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
        error instanceof SyntaxError
      ) {
        return sendProblem(reply, 400, `the body is not valid JSON: ${error.message}`, {
          code: 'OFFSIDE_MALFORMED_JSON',
          field: 'body',
        })
      }
      // @fastify/rate-limit's error carries no code of ours: name it, so clients can tell it apart.
      const code = status === 429 && !error.problem ? 'OFFSIDE_RATE_LIMITED' : error.code
      return sendProblem(reply, status, error.message, { code, ...(error.problem ?? {}) })
    })
    app.setNotFoundHandler((request, reply) =>
      sendProblem(reply, 404, `no route ${request.method} ${request.url.split('?')[0]}`, {
        code: 'OFFSIDE_NO_ROUTE',
      }),
    )
  },
  { name: 'problem' },
)
