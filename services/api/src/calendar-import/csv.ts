import type { MatchEvent } from '@offside/core'
import { parse } from 'csv-parse/sync'
import {
  duplicateIds,
  eventFields,
  type ImportError,
  type ImportOptions,
  type ImportResult,
  type RawEvent,
  readEvent,
} from './fields.js'

/**
 * Reads a CSV import: a header row naming the columns (id, competition, kickoff, end, preMinutes,
 * postMinutes, status, title; any order, the optional ones may be left out) and one event per row.
 * An empty cell means "not given", so competition defaults to the caller's and status to scheduled.
 */
export function parseCsvImport(body: string, options: ImportOptions): ImportResult {
  let records: string[][]
  try {
    records = parse(body, { bom: true, trim: true, skip_empty_lines: true, relax_column_count: true })
  } catch (err) {
    return { ok: false, errors: [{ field: 'body', reason: `not valid CSV: ${(err as Error).message}` }] }
  }
  const [header, ...rows] = records
  if (header === undefined) return { ok: false, errors: [{ field: 'body', reason: 'the file is empty' }] }
  const headerErrors = checkHeader(header, options)
  if (headerErrors.length > 0) return { ok: false, errors: headerErrors }
  if (rows.length === 0)
    return { ok: false, errors: [{ field: 'body', reason: 'the import holds no events' }] }

  const events: MatchEvent[] = []
  const indexes: number[] = []
  const errors: ImportError[] = []
  rows.forEach((cells, index) => {
    if (cells.length !== header.length) {
      errors.push({
        index,
        field: 'row',
        reason: `has ${cells.length} cells but the header has ${header.length}`,
      })
      return
    }
    const raw: RawEvent = {}
    header.forEach((column, i) => {
      if (cells[i] !== '') raw[column] = cells[i]
    })
    const read = readEvent(raw, index, options)
    if (read.event) {
      events.push(read.event)
      indexes.push(index)
    }
    errors.push(...read.errors)
  })
  errors.push(...duplicateIds(events, indexes))
  return errors.length > 0 ? { ok: false, errors } : { ok: true, events }
}

function checkHeader(header: string[], options: ImportOptions): ImportError[] {
  const errors: ImportError[] = []
  const seen = new Set<string>()
  for (const column of header) {
    if (!eventFields.includes(column)) {
      errors.push({
        field: 'header',
        reason: `unknown column "${column}" (known: ${eventFields.join(', ')})`,
      })
    } else if (seen.has(column)) {
      errors.push({ field: 'header', reason: `column "${column}" appears twice` })
    }
    seen.add(column)
  }
  const required =
    options.competition === undefined ? ['id', 'competition', 'kickoff', 'end'] : ['id', 'kickoff', 'end']
  for (const column of required) {
    if (!seen.has(column)) errors.push({ field: 'header', reason: `column "${column}" is required` })
  }
  return errors
}
