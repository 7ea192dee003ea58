import { parse } from 'csv-parse/sync'
import {
  eventFields,
  type ImportError,
  type ImportOptions,
  type ImportResult,
  type RawEvent,
  readEvent,
  readEvents,
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

  return readEvents(rows, (cells, index) => {
    if (cells.length !== header.length) {
      const reason = `has ${cells.length} cells but the header has ${header.length}`
      return { errors: [{ index, field: 'row', reason }] }
    }
    const raw: RawEvent = {}
    header.forEach((column, i) => {
      if (cells[i] !== '') raw[column] = cells[i]
    })
    return readEvent(raw, index, options)
  })
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
