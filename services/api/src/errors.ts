import createError from '@fastify/error'

/**
 * Every domain error the API answers with, defined once. The error handler turns each into
 * application/problem+json; tests assert the code. `type` in the problem is derived from the code.
 */
export const errors = {
  Unauthorized: createError('OFFSIDE_UNAUTHORIZED', 'a valid bearer token is required', 401),
  Forbidden: createError('OFFSIDE_FORBIDDEN', '%s', 403),
  NotFound: createError('OFFSIDE_NOT_FOUND', '%s', 404),
  Conflict: createError('OFFSIDE_CONFLICT', '%s', 409),
  // A complaint broader than the guard's soft limit, or a look-up of more than one address.
  TargetTooBroad: createError('OFFSIDE_TARGET_TOO_BROAD', '%s', 422),
  InvalidInput: createError('OFFSIDE_INVALID_INPUT', '%s', 422),
  EntryMalformed: createError('OFFSIDE_ENTRY_MALFORMED', '%s', 422),
  UnsupportedMediaType: createError('OFFSIDE_UNSUPPORTED_MEDIA_TYPE', '%s', 415),
  PayloadTooLarge: createError('OFFSIDE_PAYLOAD_TOO_LARGE', '%s', 413),
  NotImplemented: createError('OFFSIDE_NOT_IMPLEMENTED', '%s', 501),
}

/** Extra members a problem may carry: the offending field, entry index, or a list of errors. */
export interface ProblemExtras {
  field?: string
  index?: number
  reason?: string
  errors?: { index?: number; field?: string; reason: string }[]
}

type ErrorConstructor = (typeof errors)[keyof typeof errors]

/** Builds a domain error with the members the problem body should name. */
export function problem(Err: ErrorConstructor, detail: string, extras: ProblemExtras = {}): Error {
  return Object.assign(new Err(detail), { problem: extras })
}
