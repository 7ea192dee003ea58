/**
 * Calendar imports for `POST /v1/events:import`: pure functions turning an uploaded JSON, CSV or
 * iCalendar body into events, or into per-row errors. Any malformed row refuses the whole import,
 * so a route stores either every event or none.
 */
import { parseCsvImport } from './csv.js'
import type { ImportOptions, ImportResult } from './fields.js'
import { parseIcalImport } from './ical.js'
import { parseJsonImport } from './json.js'

export type { ImportError, ImportOptions, ImportResult } from './fields.js'
export { readJsonEvents } from './json.js'

export type ImportFormat = 'json' | 'csv' | 'ical'

const formats: Record<string, ImportFormat> = {
  'application/json': 'json',
  'text/csv': 'csv',
  'text/calendar': 'ical',
}

/** The format a Content-Type names (parameters such as charset ignored), or null (answer 415). */
export function importFormat(contentType: string): ImportFormat | null {
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? ''
  return formats[mediaType] ?? null
}

/** Parses an import body of the given Content-Type into events, or every error found. */
export function parseEventsImport(contentType: string, body: string, options: ImportOptions): ImportResult {
  switch (importFormat(contentType)) {
    case 'json':
      return parseJsonImport(body, options)
    case 'csv':
      return parseCsvImport(body, options)
    case 'ical':
      return parseIcalImport(body, options)
    default:
      return {
        ok: false,
        errors: [
          {
            field: 'content-type',
            reason: `"${contentType}" is not application/json, text/csv or text/calendar`,
          },
        ],
      }
  }
}
