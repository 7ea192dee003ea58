/**
 * The simulated match day of the chaos soak: overlapping short windows, list uploads that add and
 * drop, hot additions, complaints upheld, an order suspended and resumed, windows extended. Every
 * request goes to the real API and is recorded in the {@link SoakModel} (grants when asked,
 * revocations when answered 2xx). Test data only from the documentation ranges.
 */
import { type Competition, isoWeekKey, seasonOf } from '@offside/core'
import type { SoakModel } from './model.js'

export interface Api {
  /** One request, bounded by a timeout; status 0 when it got no answer (a fault cut it off). */
  call(
    method: string,
    path: string,
    body?: unknown,
    token?: string | null,
  ): Promise<{ status: number; body: Record<string, unknown> | null }>
}

export const COMPETITION: Competition = {
  id: 'serie-a',
  name: 'Serie A',
  timeZone: 'UTC',
  preMinutes: 0,
  postMinutes: 0,
}

/** 762 addresses from the three IPv4 documentation ranges, in a seeded order. */
function addressPool(random: () => number): string[] {
  const pool = ['192.0.2', '198.51.100', '203.0.113'].flatMap((net) =>
    Array.from({ length: 254 }, (_, i) => `${net}.${i + 1}`),
  )
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[pool[i], pool[j]] = [pool[j] as string, pool[i] as string]
  }
  return pool
}

const evidence = `sha256:${'ab'.repeat(32)}`
const ok = (status: number) => status >= 200 && status < 300

export class MatchDay {
  readonly #api: Api
  readonly #model: SoakModel
  readonly #random: () => number
  readonly #pool: string[]
  readonly #rightsholder: string
  #events = 0
  #suspendedAt: number | undefined
  /** Requests made, by action, and how many were answered 2xx. */
  readonly actions: Record<string, { asked: number; ok: number }> = {}

  constructor(api: Api, model: SoakModel, random: () => number, rightsholderToken: string) {
    this.#api = api
    this.#model = model
    this.#random = random
    this.#pool = addressPool(random)
    this.#rightsholder = rightsholderToken
  }

  #count(action: string, status: number): boolean {
    this.actions[action] ??= { asked: 0, ok: 0 }
    const entry = this.actions[action]
    entry.asked++
    if (ok(status)) entry.ok++
    return ok(status)
  }

  #between(min: number, max: number): number {
    return min + Math.floor(this.#random() * (max - min))
  }

  #week(): string {
    return isoWeekKey(Date.now(), COMPETITION.timeZone)
  }

  /** A window opening 2–8 s from now and lasting 8–25 s. */
  async newWindow(): Promise<void> {
    const event = `m${++this.#events}`
    const from = Date.now() + this.#between(2_000, 8_000)
    const until = from + this.#between(8_000, 25_000)
    this.#model.window({ event, from, until })
    const res = await this.#api.call('PUT', `/v1/events/${event}`, {
      competition: COMPETITION.id,
      kickoff: new Date(from).toISOString(),
      end: new Date(until).toISOString(),
    })
    this.#count('window', res.status)
  }

  /** The week's whole list: what is listed, minus one dropped at random, plus `fresh` new ones. */
  async upload(fresh: number): Promise<void> {
    const listed = this.#model.listed()
    const dropped = listed.length > 4 ? listed[Math.floor(this.#random() * listed.length)] : undefined
    const added = this.#pool.splice(0, fresh).map((ip) => `${ip}/32`)
    const at = Date.now()
    for (const prefix of added) this.#model.added(prefix, at)
    const entries = [...listed.filter((p) => p !== dropped), ...added].map((p) => ({
      target: p.replace(/\/32$/, ''),
      evidence,
    }))
    const res = await this.#api.call(
      'PUT',
      `/v1/lists/sky-it/${this.#week()}`,
      { entries },
      this.#rightsholder,
    )
    if (this.#count('upload', res.status) && dropped) this.#model.removed(dropped, Date.now())
  }

  async hotAddition(): Promise<void> {
    const ip = this.#pool.shift()
    if (!ip) return
    this.#model.added(`${ip}/32`, Date.now())
    const res = await this.#api.call(
      'POST',
      `/v1/lists/sky-it/${this.#week()}/entries`,
      { entries: [{ target: ip, evidence }] },
      this.#rightsholder,
    )
    this.#count('hot-addition', res.status)
  }

  async complaintUpheld(): Promise<void> {
    const listed = this.#model.listed()
    const prefix = listed[Math.floor(this.#random() * listed.length)]
    if (!prefix) return
    const target = prefix.replace(/\/32$/, '')
    const filed = await this.#api.call(
      'POST',
      '/v1/complaints',
      { target, contact: 'noc@hosting.example', reason: 'our lawful site shares this address' },
      null,
    )
    if (!this.#count('complaint', filed.status)) return
    const decided = await this.#api.call('POST', `/v1/complaints/${String(filed.body?.id)}/decision`, {
      outcome: 'revoke',
      reason: 'lawful service confirmed',
    })
    if (this.#count('complaint-upheld', decided.status)) this.#model.removed(prefix, Date.now())
  }

  /** Suspends the order, or resumes it once it has been suspended 3 s or more. */
  async suspendOrResume(): Promise<void> {
    if (this.#suspendedAt === undefined) {
      const res = await this.#api.call('POST', '/v1/orders/o1/suspend', {})
      if (this.#count('suspend', res.status)) {
        this.#suspendedAt = Date.now()
        this.#model.suspended(this.#suspendedAt)
      }
      return
    }
    if (Date.now() - this.#suspendedAt < 3_000) return
    this.#model.resumeAsked(Date.now())
    const res = await this.#api.call('POST', '/v1/orders/o1/resume', {})
    if (this.#count('resume', res.status)) this.#suspendedAt = undefined
    else this.#model.suspended(Date.now()) // not resumed: still suspended, judged from now
  }

  /** Extends a window that has not ended yet by 3–8 s (extra time). */
  async extend(): Promise<void> {
    const now = Date.now()
    const open = this.#model.windows().filter((w) => w.until > now + 1_000)
    const window = open[Math.floor(this.#random() * open.length)]
    if (!window) return
    const until = window.until + this.#between(3_000, 8_000)
    this.#model.window({ ...window, until })
    const res = await this.#api.call('PUT', `/v1/events/${window.event}`, {
      competition: COMPETITION.id,
      kickoff: new Date(window.from).toISOString(),
      end: new Date(until).toISOString(),
    })
    this.#count('extend', res.status)
  }

  /** One seeded-random action of the day. */
  async step(): Promise<void> {
    const roll = this.#random()
    if (roll < 0.35) return this.hotAddition()
    if (roll < 0.5) return this.upload(2)
    if (roll < 0.68) return this.complaintUpheld()
    if (roll < 0.8) return this.suspendOrResume()
    if (roll < 0.9) return this.extend()
    return this.newWindow()
  }
}

/** The season key of an instant for the soak's competition. */
export const seasonNow = () => seasonOf(Date.now(), COMPETITION)
