/**
 * An offline IP-to-ASN database (SPEC rule 6, hosting-provider notices of rule 14): which
 * autonomous systems announce a prefix, and the organisation each is registered to. It reads the
 * CSV format of ip-location-db (`start,end,asn,organisation`, addresses as integers, ranges
 * inclusive), by default the copy shipped in the npm package `@ip-location-db/asn` (RouteViews,
 * the five RIRs and DB-IP, CC BY 4.0). An operator points `dir` at newer files of the same format
 * to update it; nothing is fetched at run time.
 */
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { type AnnouncingAs, lowerBound, parseCidr } from '@offside/core'

/** Rows a look-up visits at most, and distinct networks it returns at most, so a /16 stays cheap. */
const MAX_ROWS_VISITED = 4096
const MAX_NETWORKS = 16

export interface AsnDatabase {
  /** Every autonomous system announcing part of a canonical prefix, in address order, each once. */
  lookup(prefix: string): AnnouncingAs[]
  /** Where the rows were read from and how many there are. */
  readonly source: { dir: string; v4Rows: number; v6Rows: number }
}

/** The folder of the `@ip-location-db/asn` package installed beside this one. */
export function defaultAsnDir(): string {
  const require = createRequire(import.meta.url)
  return dirname(require.resolve('@ip-location-db/asn/package.json'))
}

interface Table<N extends number | bigint> {
  starts: N[]
  ends: N[]
  /** Running maximum of `ends`: rows are sorted by start but a few overlap. */
  reach: N[]
  asns: Uint32Array
  organisations: string[]
}

/** Loads `asn-ipv4-num.csv` and `asn-ipv6-num.csv` from `dir` (about half a second for the full files). */
export async function loadAsnDatabase(dir: string = defaultAsnDir()): Promise<AsnDatabase> {
  const [v4Text, v6Text] = await Promise.all([
    readFile(join(dir, 'asn-ipv4-num.csv'), 'utf8'),
    readFile(join(dir, 'asn-ipv6-num.csv'), 'utf8'),
  ])
  const names = new Map<string, string>()
  const v4 = readTable(v4Text, Number, names)
  const v6 = readTable(v6Text, BigInt, names)
  return {
    source: { dir, v4Rows: v4.asns.length, v6Rows: v6.asns.length },
    lookup(prefix) {
      const interval = parseCidr(prefix)
      return interval.family === 4
        ? networksIn(v4, interval.start, interval.end - 1)
        : networksIn(v6, interval.start, interval.end - 1n)
    },
  }
}

/** Builds a table from the CSV text; the organisation is the last field, quoted when it has a comma. */
function readTable<N extends number | bigint>(
  text: string,
  toNumber: (digits: string) => N,
  names: Map<string, string>,
): Table<N> {
  const starts: N[] = []
  const ends: N[] = []
  const reach: N[] = []
  const asns: number[] = []
  const organisations: string[] = []
  let line = 0
  for (let at = 0; at < text.length; ) {
    let next = text.indexOf('\n', at)
    if (next === -1) next = text.length
    const row = text.charCodeAt(next - 1) === 13 ? text.slice(at, next - 1) : text.slice(at, next)
    at = next + 1
    line++
    if (row.length === 0) continue
    const a = row.indexOf(',')
    const b = row.indexOf(',', a + 1)
    const c = row.indexOf(',', b + 1)
    if (a < 0 || b < 0 || c < 0)
      throw new Error(`ASN database line ${line}: expected start,end,asn,organisation`)
    const start = toNumber(row.slice(0, a))
    const end = toNumber(row.slice(a + 1, b))
    const asn = Number(row.slice(b + 1, c))
    let organisation = row.slice(c + 1)
    if (organisation.startsWith('"')) organisation = organisation.slice(1, -1).replaceAll('""', '"')
    const previous = reach[reach.length - 1]
    if (previous !== undefined && start < starts[starts.length - 1]!) {
      throw new Error(`ASN database line ${line}: rows must be sorted by start address`)
    }
    starts.push(start)
    ends.push(end)
    reach.push(previous !== undefined && previous > end ? previous : end)
    asns.push(asn)
    const shared = names.get(organisation)
    if (shared === undefined) names.set(organisation, organisation)
    organisations.push(shared ?? organisation)
  }
  return { starts, ends, reach, asns: Uint32Array.from(asns), organisations }
}

/** Networks of the rows that overlap [first, last] (inclusive). */
function networksIn<N extends number | bigint>(table: Table<N>, first: N, last: N): AnnouncingAs[] {
  // First row whose running reach gets to `first`: every earlier row ends before it.
  const low = lowerBound(table.reach, first)
  const found: AnnouncingAs[] = []
  const seen = new Set<number>()
  for (let i = low, visited = 0; i < table.starts.length && visited < MAX_ROWS_VISITED; i++, visited++) {
    if (table.starts[i]! > last) break
    if (table.ends[i]! < first || seen.has(table.asns[i]!)) continue
    seen.add(table.asns[i]!)
    found.push({ asn: table.asns[i]!, organisation: table.organisations[i]! })
    if (found.length >= MAX_NETWORKS) break
  }
  return found
}
