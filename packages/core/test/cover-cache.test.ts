import t from 'tap'
import { type CoverPart, minimalCover } from '../src/compute-groups.js'
import { CoverCache } from '../src/cover-cache.js'
import { PrefixSet } from '../src/prefix-set.js'

t.test(
  'the cover kept across changes is always the minimal cover, and its patch turns the old cover into the new',
  async (t) => {
    // Small address spaces so that changes merge with and split their neighbours.
    let seed = 17
    const random = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
      return (seed >>> 8) % n
    }
    const pick = (): string => {
      const kind = random(4)
      if (kind === 0) return `198.51.100.${random(64) * 4}/30`
      if (kind === 1) return `198.51.100.${random(256)}/32`
      if (kind === 2) return `2001:db8::${random(256).toString(16)}/128`
      return `2001:db8:0:${random(4)}::/64`
    }
    const cache = new CoverCache()
    let uploaded = Array.from({ length: 60 }, pick)
    let revoked: string[] = []
    const second = Array.from({ length: 20 }, pick)
    let previous: string[] = []
    let patched = 0
    for (let step = 0; step < 300; step++) {
      const change = random(4)
      if (change === 0) uploaded = [...uploaded, pick()]
      else if (change === 1) uploaded = uploaded.filter((_, i) => i !== random(uploaded.length))
      else if (change === 2) revoked = [...revoked, pick()]
      else revoked = revoked.slice(1)
      // A second order comes and goes (suspended, resumed): its week's key changes with it.
      const both = random(3) === 0
      const parts: CoverPart[] = [{ lists: [uploaded], revoked: PrefixSet.from(revoked) }]
      if (both) parts.push({ lists: [second], revoked: PrefixSet.empty() })
      const key = both ? 'week\u0000o1\u0000o2' : 'week\u0000o1'
      cache.startRound()
      const cover = cache.cover(key, parts)
      cache.endRound()
      const expected = minimalCover(key, parts)
      if (JSON.stringify(cover) !== JSON.stringify(expected)) {
        t.same(cover, expected, `step ${step}: the kept cover is the minimal cover, in its order`)
        return
      }
      const patch = cache.patch([...previous], [...cover])
      if (patch) {
        patched++
        const removed = new Set(patch.remove)
        const applied = [...previous.filter((prefix) => !removed.has(prefix)), ...patch.add].sort()
        if (JSON.stringify(applied) !== JSON.stringify([...cover].sort())) {
          t.same(applied, [...cover].sort(), `step ${step}: the patch turns the previous cover into this one`)
          return
        }
      }
      previous = cover
    }
    t.ok(patched > 50, `${patched} of 300 changes were patched incrementally, the rest covered from scratch`)
    t.pass('300 changes kept the minimal cover and consistent patches')
  },
)
