/**
 * The weekly hosting-provider notices (SPEC rule 14, UK model): once a week is over (plus the
 * configured delay), each autonomous system that announced an address enforced in that week's
 * windows gets one notice through the outbox, to the abuse contact the operator registered for
 * it (a `hosting-provider` party with `asns`, through the API or the contacts file). Idempotent
 * per (ASN, week): the builder runs every so often, in any number of notifier processes.
 */
import { readFile } from 'node:fs/promises'
import {
  type AnnouncingAs,
  type AsnLookup,
  hostingNoticeText,
  hostingWeeks,
  isoWeekKey,
  type Party,
  previousWeek,
  weekBounds,
} from '@offside/core'
import type { Log } from '@offside/service'
import {
  appendAudit,
  type Db,
  fileHostingNotice,
  listParties,
  loadStateInputs,
  type Notice,
} from '@offside/store'

export interface HostingWeeklyOptions {
  db: Db
  asnOf: AsnLookup
  /** Queues a filed notice for delivery (the `notify` queue, job id = notice id). */
  enqueue(notice: Notice): Promise<void>
  /** Where the public complaint form is. */
  complaintUrl: string
  /** The zone whose ISO weeks the notices follow. */
  timeZone: string
  /** How long after a week ends its notices go out (the UK orders allow a short delay). */
  delayMs: number
  /**
   * JSON `{"contacts": [Party…]}` of abuse contacts, re-read on every run. A contact of the party
   * table (the API) wins over the file's for the same ASN; a file contact travels on its notice.
   */
  contactsFile?: string
}

export interface HostingWeeklyRun {
  week: string
  /** Notices filed by this run (already-filed ones are not filed again). */
  filed: Notice[]
  /** Networks with enforced addresses and no abuse contact: the operator should add one. */
  uncontacted: AnnouncingAs[]
}

/** The week whose notices are due at `now`: the last one that ended at least `delayMs` ago. */
export function dueWeek(now: number, timeZone: string, delayMs: number): string {
  return previousWeek(isoWeekKey(now - delayMs, timeZone))
}

/** Reads the contacts file: hosting-provider parties, each with the autonomous systems it answers for. */
export async function readContactsFile(file: string): Promise<Party[]> {
  const parsed = JSON.parse(await readFile(file, 'utf8')) as { contacts?: unknown }
  if (!Array.isArray(parsed.contacts)) throw new Error(`${file}: expected {"contacts": [...]}`)
  return parsed.contacts.map((raw, i) => {
    const c = raw as Partial<Party>
    const channel = c.channel
    const okChannel =
      (channel?.kind === 'email' && typeof channel.address === 'string') ||
      (channel?.kind === 'webhook' && typeof channel.url === 'string')
    if (typeof c.id !== 'string' || typeof c.name !== 'string' || !okChannel)
      throw new Error(`${file}: contact ${i} needs id, name and a channel`)
    if (!Array.isArray(c.asns) || !c.asns.every((a) => Number.isInteger(a) && a > 0))
      throw new Error(`${file}: contact ${i} needs asns, a list of AS numbers`)
    return { id: c.id, name: c.name, role: 'hosting-provider', channel: channel!, asns: c.asns }
  })
}

/** Files (once) and queues the notices of `week`, or of the week due at `now` when none is given. */
export async function runHostingWeekly(
  options: HostingWeeklyOptions,
  now: number,
  week: string = dueWeek(now, options.timeZone, options.delayMs),
): Promise<HostingWeeklyRun> {
  const { db } = options
  const contacts = new Map<number, { party: Party; fromFile: boolean }>()
  for (const party of await listParties(db)) {
    if (party.role !== 'hosting-provider') continue
    for (const asn of party.asns ?? []) if (!contacts.has(asn)) contacts.set(asn, { party, fromFile: false })
  }
  if (options.contactsFile) {
    for (const party of await readContactsFile(options.contactsFile))
      for (const asn of party.asns ?? []) if (!contacts.has(asn)) contacts.set(asn, { party, fromFile: true })
  }
  // The inputs as they stand at the week's end: every window of the week has opened by then.
  const { end } = weekBounds(week, options.timeZone)
  const inputs = await loadStateInputs(db, Math.min(end, now))
  const run: HostingWeeklyRun = { week, filed: [], uncontacted: [] }
  for (const notice of hostingWeeks(inputs, week, options.asnOf)) {
    const contact = contacts.get(notice.asn)
    if (!contact) {
      run.uncontacted.push({ asn: notice.asn, organisation: notice.organisation })
      continue
    }
    const { subject, text } = hostingNoticeText(notice, options.complaintUrl)
    const { notice: filed, filed: isNew } = await fileHostingNotice(db, {
      kind: 'hosting-weekly',
      week,
      asn: notice.asn,
      party: contact.party.id,
      ...(contact.fromFile ? { contact: contact.party } : {}),
      subject,
      text,
      createdAt: now,
    })
    if (isNew) {
      await appendAudit(db, {
        at: now,
        actor: null,
        action: 'notice.file',
        subject: `notice:${filed.id}`,
        details: {
          kind: 'hosting-weekly',
          week,
          asn: notice.asn,
          party: contact.party.id,
          addresses: notice.addresses.length,
        },
      })
      run.filed.push(filed)
    }
    // Queued again when already filed: the job id dedupes, and a notice whose queuing failed goes out.
    if (filed.status === 'pending') await options.enqueue(filed)
  }
  return run
}

/**
 * Runs the builder at start-up and then every `everyMs` (a missed week is caught up on the next
 * run, since the due week is computed from the clock); a failed run is logged and retried next time.
 */
export function scheduleHostingWeekly(
  options: HostingWeeklyOptions,
  everyMs: number,
  log: Log,
): { close(): Promise<void> } {
  let running: Promise<void> = Promise.resolve()
  const tick = () => {
    running = runHostingWeekly(options, Date.now()).then(
      (run) => {
        if (run.filed.length > 0 || run.uncontacted.length > 0)
          log.info(
            { week: run.week, filed: run.filed.length, uncontacted: run.uncontacted.map((a) => a.asn) },
            'weekly hosting notices',
          )
      },
      (err: unknown) => log.error({ err }, 'weekly hosting notices failed'),
    )
  }
  tick()
  const timer = setInterval(tick, everyMs)
  return {
    async close() {
      clearInterval(timer)
      await running
    },
  }
}
