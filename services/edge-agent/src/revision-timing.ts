import { performance } from 'node:perf_hooks'

/**
 * Where one revision's time went, from the frame arriving to its ack leaving, in milliseconds:
 * waiting behind earlier work (`queued`), parsing and the signature check (`verify`), applying the
 * ops with core (`apply`), programming the device (`backend`), the journal line and its fdatasync
 * (`persist`), and writing the ack (`ack`). For benchmarks and operators' traces: it costs a few
 * clock reads per revision.
 */
export interface RevisionTiming {
  revision: number
  kind: 'snapshot' | 'delta'
  queued: number
  verify: number
  apply: number
  backend: number
  persist: number
  ack: number
  total: number
}

export type RevisionPhase = Exclude<keyof RevisionTiming, 'revision' | 'kind' | 'total'>

/** Laps of one revision's work; `lap(phase)` charges the time since the previous lap to `phase`. */
export class RevisionClock {
  readonly #received: number
  #last: number
  readonly #phases: Record<RevisionPhase, number> = {
    queued: 0,
    verify: 0,
    apply: 0,
    backend: 0,
    persist: 0,
    ack: 0,
  }

  constructor(received: number) {
    this.#received = received
    this.#last = received
  }

  lap(phase: RevisionPhase): void {
    const at = performance.now()
    this.#phases[phase] += at - this.#last
    this.#last = at
  }

  timing(revision: number, kind: RevisionTiming['kind']): RevisionTiming {
    return { revision, kind, ...this.#phases, total: this.#last - this.#received }
  }
}
