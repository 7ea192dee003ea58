import type { Answer } from 'dns-packet'
import { type PolicyAnswer, policyRecords } from './policy.js'

/** The SOA timers (seconds) a secondary resolver obeys; `expire` is the fail-safe bound. */
export interface ZoneTimers {
  refresh: number
  retry: number
  expire: number
  /** Negative-caching TTL of answers from the zone. */
  minimum: number
}

export interface RpzZoneOptions {
  /** The zone's name, lower case, no trailing dot (e.g. `rpz.offside`). */
  origin: string
  answer: PolicyAnswer
  /** TTL of the policy records: how long a client may cache a rewritten answer. */
  ttl: number
  timers: ZoneTimers
  /** Most changes kept for IXFR; an older serial gets a full transfer. Default 64. */
  journalSize?: number
}

interface JournalEntry {
  from: number
  to: number
  removed: string[]
  added: string[]
}

/** RFC 1982 serial arithmetic: whether `a` is newer than `b`. */
export function serialNewer(a: number, b: number): boolean {
  const d = (a - b) >>> 0
  return d !== 0 && d < 0x80000000
}

/**
 * The Response Policy Zone the agent serves: the blocked names, a serial that only grows, and a
 * journal of the last changes so resolvers fetch only what changed (IXFR, RFC 1995). The serial is
 * the wall clock in milliseconds modulo 2³² (or one more than the last): a restarted agent starts
 * above every serial it served before, so no resolver keeps an old copy because the serial went
 * back. No I/O here; the zone server sends what this holds.
 */
export class RpzZone {
  readonly origin: string
  readonly #options: RpzZoneOptions
  readonly #names = new Set<string>()
  #serial: number
  #journal: JournalEntry[] = []

  constructor(options: RpzZoneOptions, now: number) {
    this.origin = options.origin
    this.#options = options
    this.#serial = now % 2 ** 32
  }

  get serial(): number {
    return this.#serial
  }

  get size(): number {
    return this.#names.size
  }

  has(name: string): boolean {
    return this.#names.has(name)
  }

  names(): IterableIterator<string> {
    return this.#names.values()
  }

  /** Adds and removes names; returns whether anything changed (and so the serial moved). */
  change(added: Iterable<string>, removed: Iterable<string>, now: number): boolean {
    const entry: JournalEntry = { from: this.#serial, to: 0, removed: [], added: [] }
    for (const name of removed) if (this.#names.delete(name)) entry.removed.push(name)
    for (const name of added) {
      if (this.#names.has(name)) continue
      this.#names.add(name)
      entry.added.push(name)
    }
    if (entry.added.length + entry.removed.length === 0) return false
    this.#advance(now)
    entry.to = this.#serial
    this.#journal.push(entry)
    this.#trimJournal()
    return true
  }

  /**
   * A new serial with no change of content: the agent's pulse, so that a resolver can tell a
   * live agent (recent serial) from a dead one (see the expiry primary, expiry-zone.ts).
   */
  pulse(now: number): boolean {
    const from = this.#serial
    this.#advance(now)
    this.#journal.push({ from, to: this.#serial, removed: [], added: [] })
    this.#trimJournal()
    return true
  }

  #advance(now: number): void {
    const clock = now % 2 ** 32
    this.#serial = serialNewer(clock, this.#serial) ? clock : (this.#serial + 1) >>> 0
  }

  soa(): Answer {
    const { refresh, retry, expire, minimum } = this.#options.timers
    return {
      name: this.origin,
      type: 'SOA',
      ttl: minimum,
      class: 'IN',
      data: {
        mname: 'localhost',
        rname: `hostmaster.${this.origin}`,
        serial: this.#serial,
        refresh,
        retry,
        expire,
        minimum,
      },
    }
  }

  ns(): Answer {
    return {
      name: this.origin,
      type: 'NS',
      ttl: this.#options.timers.minimum,
      class: 'IN',
      data: 'localhost',
    }
  }

  /** The policy records of one blocked name. */
  records(name: string): Answer[] {
    return policyRecords(name, this.origin, this.#options.answer, this.#options.ttl)
  }

  /** A full transfer (AXFR, RFC 5936): SOA, NS, every policy record, SOA. */
  *axfr(): Generator<Answer> {
    const soa = this.soa()
    yield soa
    yield this.ns()
    for (const name of this.#names) yield* this.records(name)
    yield soa
  }

  /**
   * An incremental transfer from `fromSerial` (RFC 1995 §4): the current SOA alone when the
   * resolver is up to date, the journal's changes when it holds them, else undefined (the caller
   * then sends a full transfer, which RFC 1995 allows in answer to IXFR).
   */
  ixfr(fromSerial: number): Answer[] | undefined {
    const soa = this.soa()
    if (fromSerial === this.#serial) return [soa]
    const start = this.#journal.findIndex((entry) => entry.from === fromSerial)
    if (start < 0) return undefined
    const records: Answer[] = [soa]
    for (const entry of this.#journal.slice(start)) {
      records.push(this.#soaAt(entry.from))
      for (const name of entry.removed) records.push(...this.records(name))
      records.push(this.#soaAt(entry.to))
      for (const name of entry.added) records.push(...this.records(name))
    }
    records.push(soa)
    return records
  }

  #soaAt(serial: number): Answer {
    const soa = this.soa() as Extract<Answer, { type: 'SOA' }>
    return { ...soa, data: { ...soa.data, serial } }
  }

  /** Keeps the journal shorter than `journalSize` changes and than twice the zone. */
  #trimJournal(): void {
    const limit = this.#options.journalSize ?? 64
    let held = this.#journal.reduce((sum, entry) => sum + entry.added.length + entry.removed.length, 0)
    while (this.#journal.length > limit || (this.#journal.length > 1 && held > 2 * this.#names.size + 1000)) {
      const dropped = this.#journal.shift()
      if (!dropped) break
      held -= dropped.added.length + dropped.removed.length
    }
  }
}
