import { Readable } from 'node:stream'
import { parse } from 'csv-parse'
import { errors, problem } from '../../errors.js'
import { limitBytes } from '../../plugins/body-parsers.js'

/** One entry as the rightsholder wrote it, before parsing and the guard. */
export interface RawEntry {
  target: string
  note?: string
  evidence?: string
  criterion?: string
}

const COLUMNS = ['target', 'note', 'evidence', 'criterion'] as const
type Column = (typeof COLUMNS)[number]

/**
 * Reads a CSV list as it streams in. The first column is the target; note, evidence and criterion
 * may follow in that order, or in any order under a header row whose first cell is "target".
 * Lines starting with # are comments.
 */
export async function readCsvEntries(body: Readable, limit: number): Promise<RawEntry[]> {
  const parser = parse({
    bom: true,
    comment: '#',
    relax_column_count: true,
    skip_empty_lines: true,
    trim: true,
  })
  const source = Readable.from(limitBytes(body, limit))
  source.on('error', (err) => parser.destroy(err))
  source.pipe(parser)
  const entries: RawEntry[] = []
  let columns: (Column | null)[] = [...COLUMNS]
  let first = true
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (first) {
        first = false
        if (record[0]?.toLowerCase() === 'target') {
          columns = record.map((name) => {
            const column = name.toLowerCase() as Column
            if (!COLUMNS.includes(column))
              throw problem(errors.InvalidInput, `unknown CSV column "${name}"`, { field: name })
            return column
          })
          continue
        }
      }
      const entry: RawEntry = { target: '' }
      record.forEach((cell, index) => {
        const column = columns[index]
        if (column && cell !== '') entry[column] = cell
      })
      entries.push(entry)
    }
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode) throw err
    const lines = (err as { lines?: number }).lines
    throw problem(errors.InvalidInput, `the CSV body cannot be read: ${(err as Error).message}`, {
      field: 'body',
      ...(lines !== undefined ? { reason: `line ${lines}` } : {}),
    })
  }
  return entries
}
