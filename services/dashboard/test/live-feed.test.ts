import t from 'tap'
import { LiveFeed } from '../src/live-feed.js'
import type { DashboardView } from '../src/view.js'

function view(revision: number, generatedAt: number): DashboardView {
  return {
    generatedAt,
    revision,
    windows: { live: [], upcoming: [] },
    totals: { enforcedEntries: 0, enforcedAddresses: { v4: '0', v6: '0' }, enforcedNames: 0 },
    isps: [],
    ispCounts: { bad: 0, warn: 0, ok: 0 },
    guard: { held: [], breaker: [] },
    complaints: [],
    surveillance: [],
    timeline: [],
    unavailable: [],
  }
}

/** A feed whose data is a revision number the test changes, and whose "stream" the test advances. */
function harness() {
  let revision = 1
  let clock = 0
  let wake: () => void = () => {}
  const feed = new LiveFeed({
    build: async () => view(revision, ++clock),
    waitForChange: () => new Promise<void>((resolve) => (wake = resolve)),
    onError: () => {},
  })
  return {
    feed,
    change(next: number) {
      revision = next
      wake()
    },
    tick() {
      wake()
    },
    /** Changes the data without the stream noticing (like an agent going away between polls). */
    setQuietly(next: number) {
      revision = next
    },
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20))

t.test('watchers receive a view only when something they can see changed', async (t) => {
  const h = harness()
  const seen: number[] = []
  h.feed.subscribe((v) => seen.push(v.revision))
  await settle()
  t.same(seen, [1], 'the first view is pushed')
  h.tick()
  await settle()
  t.same(seen, [1], 'a wake-up with nothing new pushes nothing (the build time alone is no change)')
  h.change(2)
  await settle()
  t.same(seen, [1, 2], 'a new revision is pushed')
  await h.feed.close()
})

t.test('a poke rebuilds at once, without waiting for the stream', async (t) => {
  const h = harness()
  const seen: number[] = []
  h.feed.subscribe((v) => seen.push(v.revision))
  await settle()
  h.setQuietly(2)
  await settle()
  t.same(seen, [1], 'a change the stream did not announce waits for the next wake-up')
  h.feed.poke()
  await settle()
  t.same(seen, [1, 2], 'a poke (an action just taken) pushes the change at once')
  await h.feed.close()
  t.equal(h.feed.subscribers, 0, 'closing drops every watcher')
})
