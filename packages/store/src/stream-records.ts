/** The revisions stream's entries as {@link RevisionRecord}s (revisions.ts names the stream's fields). */
import type { RevisionRecord } from './revisions.js'

export type StreamEntries = [id: string, fields: string[]][]

export function toRecords(entries: StreamEntries): RevisionRecord[] {
  return entries.map(([, fields]) => {
    const field = (name: string) => {
      const at = fields.indexOf(name)
      return at >= 0 && at % 2 === 0 ? fields[at + 1] : undefined
    }
    const record = JSON.parse(field('record') ?? 'null') as RevisionRecord
    const epoch = field('epoch')
    const chain = field('chain')
    return { ...record, ...(epoch ? { epoch } : {}), ...(chain ? { chain } : {}) }
  })
}
