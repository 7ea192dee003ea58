import type { Answer } from 'dns-packet'
import type { ZoneTimers } from './zone.js'
import type { ServedZone } from './zone-server.js'

/**
 * The expiry primary's zone: always empty, with the serial the agent's zone would have had
 * `expire` seconds ago (the agent's serial is its clock in ms, bumped at least every pulse). A
 * resolver lists it as its second primary: while the agent lives, the agent answers first and
 * its serial is newer; once the agent has been silent for `expire`, this serial becomes the newer
 * one, the resolver transfers this empty zone and the policy is gone — without anything having
 * to survive but a clock. Unbound keeps answering from an RPZ past its SOA expire (1.17: expiry
 * only marks the auth zone), so this, not the SOA, is what bounds a dead agent's blocks there.
 */
export class ExpiryZone implements ServedZone {
  readonly origin: string
  readonly #timers: ZoneTimers
  readonly #clock: () => number

  constructor(origin: string, timers: ZoneTimers, clock: () => number = Date.now) {
    this.origin = origin.toLowerCase().replace(/\.$/, '')
    this.#timers = timers
    this.#clock = clock
  }

  get serial(): number {
    return (((this.#clock() - this.#timers.expire * 1000) % 2 ** 32) + 2 ** 32) % 2 ** 32
  }

  soa(): Answer {
    const { refresh, retry, expire, minimum } = this.#timers
    const data = { mname: 'localhost', rname: `hostmaster.${this.origin}`, serial: this.serial }
    return {
      name: this.origin,
      type: 'SOA',
      ttl: minimum,
      class: 'IN',
      data: { ...data, refresh, retry, expire, minimum },
    }
  }

  ns(): Answer {
    return { name: this.origin, type: 'NS', ttl: this.#timers.minimum, class: 'IN', data: 'localhost' }
  }

  has(_name: string): boolean {
    return false
  }

  records(_name: string): Answer[] {
    return []
  }

  *axfr(): Generator<Answer> {
    const soa = this.soa()
    yield soa
    yield this.ns()
    yield soa
  }

  /** Never a journal: an out-of-date resolver gets the (empty) full zone. */
  ixfr(_fromSerial: number): Answer[] | undefined {
    return undefined
  }
}
