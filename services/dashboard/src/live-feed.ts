/**
 * One loop per dashboard process that keeps the view model fresh while someone watches: it wakes
 * when the revisions stream advances (XREAD BLOCK) or after `pollMs` at the latest (agents, held
 * entries and complaints change without a revision), rebuilds the view and pushes it to every
 * subscriber only when it changed. Nobody watching, nothing read.
 */
import type { DashboardView } from './view.js'

export interface LiveFeedOptions {
  /** Reads everything and builds the view at this instant. */
  build(): Promise<DashboardView>
  /** Resolves when something may have changed: a revision arrived or `pollMs` passed. */
  waitForChange(): Promise<void>
  onError(err: unknown): void
}

type Listener = (view: DashboardView) => void

function fingerprint(view: DashboardView): string {
  // generatedAt changes on every build; it must not count as a change.
  return JSON.stringify({ ...view, generatedAt: 0 })
}

export class LiveFeed {
  readonly #options: LiveFeedOptions
  readonly #listeners = new Set<Listener>()
  #latest: DashboardView | undefined
  #latestPrint = ''
  #running: Promise<void> | undefined
  #closed = false
  #poke: (() => void) | undefined
  #building: Promise<unknown> = Promise.resolve()

  constructor(options: LiveFeedOptions) {
    this.#options = options
  }

  /** The last view built, if any. */
  get latest(): DashboardView | undefined {
    return this.#latest
  }

  /**
   * Builds a fresh view now (for a new subscriber or a plain GET) and shares it if it changed.
   * Builds run one at a time so an older read can never overwrite a newer one.
   */
  refresh(): Promise<DashboardView> {
    const next = this.#building.then(async () => {
      const view = await this.#options.build()
      const print = fingerprint(view)
      this.#latest = view
      if (print !== this.#latestPrint) {
        this.#latestPrint = print
        for (const listener of this.#listeners) listener(view)
      }
      return view
    })
    this.#building = next.catch(() => undefined)
    return next
  }

  /** Listens for changed views; starts the loop with the first listener. Returns the unsubscribe. */
  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener)
    this.#running ??= this.#loop().finally(() => {
      this.#running = undefined
    })
    return () => {
      this.#listeners.delete(listener)
    }
  }

  /** Wakes the loop at once, e.g. after an action made through the dashboard. */
  poke(): void {
    this.#poke?.()
  }

  get subscribers(): number {
    return this.#listeners.size
  }

  async #loop(): Promise<void> {
    while (!this.#closed && this.#listeners.size > 0) {
      try {
        await this.refresh()
      } catch (err) {
        this.#options.onError(err)
      }
      if (this.#closed || this.#listeners.size === 0) break
      const poked = new Promise<void>((resolve) => {
        this.#poke = resolve
      })
      await Promise.race([this.#options.waitForChange().catch((err) => this.#options.onError(err)), poked])
      this.#poke = undefined
    }
  }

  /** Stops the loop; resolves when it has returned. */
  async close(): Promise<void> {
    this.#closed = true
    this.#listeners.clear()
    this.#poke?.()
    await this.#running
  }
}
