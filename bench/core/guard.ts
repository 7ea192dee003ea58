/**
 * Parse + guard of a full weekly list: 100 000 random public IPv4/IPv6 entries (mostly hosts,
 * some /24s and /48s) against the default tables plus 10 000 extra protected ranges.
 * Target: ≤ 300 ms for the whole list. Data is generated in memory; nothing is sent anywhere.
 *
 * Run: node --conditions=@offside/source --import tsx bench/core/guard.ts
 */
import { createGuard, defaultGuardConfig, type GuardConfig, PrefixSet, parseTarget } from '@offside/core'
import { describeMachine, measure, report, seededRandom, v4Text } from './lib/harness.js'

const ENTRIES = 100_000
const PROTECTED = 10_000
const random = seededRandom(2024)
const special = PrefixSet.from(defaultGuardConfig.specialPurpose.map((range) => range.prefix))

function hex(n: number): string {
  return (n & 0xffff).toString(16)
}

/** A random global-unicast IPv4 address outside every special-purpose block. */
function publicV4(): number {
  for (;;) {
    const address = random()
    if (!special.overlaps(`${v4Text(address)}/32`)) return address
  }
}

/** A random IPv6 address in 2000::/3 outside the special-purpose blocks, as 8 groups. */
function publicV6(): string {
  for (;;) {
    const groups = [0x2000 | (random() & 0x1fff), ...Array.from({ length: 7 }, () => random() & 0xffff)]
    const text = groups.map(hex).join(':')
    if (!special.overlaps(`${text}/128`)) return text
  }
}

function entry(): string {
  const roll = random() % 100
  if (roll < 75) return v4Text(publicV4())
  if (roll < 85) return `${v4Text((publicV4() & 0xffffff00) >>> 0)}/24`
  if (roll < 97) return publicV6()
  return `${publicV6().split(':').slice(0, 3).join(':')}::/48`
}

function protectedRange(i: number): { prefix: string; name: string; source: string } {
  if (i % 4 === 3) {
    const groups = publicV6().split(':').slice(0, 2)
    return { prefix: `${groups.join(':')}::/32`, name: `bench range ${i}`, source: 'generated' }
  }
  const length = 20 + (random() % 5)
  const size = 2 ** (32 - length)
  const address = publicV4()
  return {
    prefix: `${v4Text(address - (address % size))}/${length}`,
    name: `bench range ${i}`,
    source: 'generated',
  }
}

const entries = Array.from({ length: ENTRIES }, entry)
const config: GuardConfig = {
  ...defaultGuardConfig,
  protectedRanges: [
    ...defaultGuardConfig.protectedRanges,
    ...Array.from({ length: PROTECTED }, (_, i) => protectedRange(i)),
  ],
}

console.log(`guard bench on ${describeMachine()}`)
const guard = createGuard(config)
const counts = { accepted: 0, held: 0, rejected: 0, malformed: 0 }
const timing = measure(7, () => {
  counts.accepted = counts.held = counts.rejected = counts.malformed = 0
  for (const text of entries) {
    const parsed = parseTarget(text)
    if (!parsed.ok) {
      counts.malformed++
      continue
    }
    counts[guard.check(parsed.target, { hasCurrentOrder: true }).verdict]++
  }
})
report(
  `parse + guard of ${ENTRIES} entries against ${config.protectedRanges.length} protected ranges`,
  timing,
  300,
)
console.log(`  verdicts: ${JSON.stringify(counts)}`)
const build = measure(5, () => createGuard(config))
console.log(`  building the guard's indexes: median ${build.median.toFixed(1)} ms`)
