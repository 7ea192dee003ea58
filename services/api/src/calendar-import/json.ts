import { type ImportOptions, type ImportResult, readEvent, readEvents } from './fields.js'

/**
 * Reads a JSON import: an array of events, or `{ "events": [...] }`, each
 * `{ id, competition?, kickoff, end, preMinutes?, postMinutes?, status?, title? }`.
 */
export function parseJsonImport(body: string, options: ImportOptions): ImportResult {
  let value: unknown
  try {
    value = JSON.parse(body)
  } catch (err) {
    return { ok: false, errors: [{ field: 'body', reason: `not valid JSON: ${(err as Error).message}` }] }
  }
  return readJsonEvents(value, options)
}

/** Validates an already-parsed JSON body (a route whose body Fastify parsed). */
export function readJsonEvents(value: unknown, options: ImportOptions): ImportResult {
  const rows = Array.isArray(value)
    ? value
    : isObject(value) && Array.isArray(value.events)
      ? value.events
      : null
  if (rows === null) {
    return {
      ok: false,
      errors: [{ field: 'body', reason: 'must be an array of events or {"events": [...]}' }],
    }
  }
  if (rows.length === 0)
    return { ok: false, errors: [{ field: 'body', reason: 'the import holds no events' }] }
  return readEvents(rows as unknown[], (row, index) =>
    isObject(row)
      ? readEvent(row, index, options)
      : { errors: [{ index, field: 'event', reason: 'must be an object' }] },
  )
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
