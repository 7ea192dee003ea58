/**
 * Diff of two weekly lists of 1 000 000 IPv4 prefixes that differ by about 1 %: both sets are
 * built from text and diffed, as the scheduler does on rotation. Target: ≤ 1.5 s including
 * construction. Data is generated in memory; nothing is sent anywhere.
 *
 * Run: node --conditions=@offside/source --import tsx bench/core/prefix-diff.ts
 */
import { diff, PrefixSet } from '@offside/core'
import { describeMachine, measure, report, seededRandom, v4Text } from './lib/harness.js'

const SIZE = 1_000_000
const CHANGED = SIZE / 100
const random = seededRandom(48)

/** Mostly hosts, some /24s, as a rightsholder's list looks. */
function prefix(): string {
  const address = random()
  if (random() % 20 === 0) return `${v4Text(address - (address % 256))}/24`
  return `${v4Text(address)}/32`
}

const before = Array.from({ length: SIZE }, prefix)
// Next week: 1 % of the entries dropped, 1 % new ones added.
const after = before.slice(CHANGED).concat(Array.from({ length: CHANGED }, prefix))

console.log(`prefix diff bench on ${describeMachine()}`)
let delta = { add: [] as string[], remove: [] as string[] }
const timing = measure(5, () => {
  delta = diff(PrefixSet.from(before), PrefixSet.from(after))
})
report(`build two sets of ${SIZE} IPv4 prefixes and diff them`, timing, 1500)
console.log(`  delta: ${delta.add.length} to add, ${delta.remove.length} to remove`)
const build = measure(5, () => PrefixSet.from(before))
console.log(`  building one set alone: median ${build.median.toFixed(1)} ms`)
