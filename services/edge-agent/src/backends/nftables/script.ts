import { createHash } from 'node:crypto'
import { elementOf, netmask, parseSetKey, type SetKey } from './elements.js'

/** Where the packets of subscribers pass: `forward` on a routing gateway, `output` on a host. */
export type Hook = 'forward' | 'output'

/** What happens to a packet to an enforced address; `reject` fails connections at once. */
export type Verdict = 'drop' | 'reject'

/** The table layout every script refers to. */
export interface TableLayout {
  table: string
  hooks: Hook[]
  verdict: Verdict
}

/** One group as programmed: the instants its rules switch on and off, its sets' base name and keys. */
export interface ProgrammedGroup {
  id: string
  base: string
  from: number
  until: number
  /** The sets the group has in the kernel, one per family and prefix length. */
  keys(): Iterable<SetKey>
}

/** All our sets are named `g_<hash>_<family>_<length>`; anything else in the table is a chain we own. */
export const GROUP_SET_PATTERN = /^g_[0-9a-f]{16}_[46]_[0-9]{1,3}$/

/** The prefix length a set of ours holds, read back from its name. */
export function lengthOfSet(name: string): number {
  return Number(name.slice(name.lastIndexOf('_') + 1))
}

/** Group ids ("w:<eventId>") may hold any character; set names are derived from a hash of it. */
export function setBase(groupId: string): string {
  return `g_${createHash('sha256').update(groupId).digest('hex').slice(0, 16)}`
}

export function setName(base: string, key: SetKey): string {
  return `${base}_${key}`
}

/** What a set's rule matches: the destination, masked to the set's prefix length. */
function match(key: SetKey): string {
  const { family, length } = parseSetKey(key)
  const daddr = family === 4 ? 'ip daddr' : 'ip6 daddr'
  return length === (family === 4 ? 32 : 128) ? daddr : `${daddr} & ${netmask(family, length)}`
}

/** A comment an operator can read in `nft list table`; quotes and odd characters removed. */
function comment(groupId: string): string {
  return `offside group ${groupId}`.replace(/[^A-Za-z0-9 :._/-]/g, '_').slice(0, 120)
}

/**
 * The kernel compares `meta time` in whole seconds: the rule switches on at the first second at
 * or after `from` and off at the last second at or before `until`, so it never blocks outside
 * `[from, until)` (element timeouts end at `until` to the millisecond anyway).
 */
function timeMatch(group: ProgrammedGroup): string {
  return `meta time >= ${Math.ceil(group.from / 1000)} meta time < ${Math.floor(group.until / 1000)}`
}

/** Creates the table and its chains if missing and hooks `enforce` into the base chains. */
export function tableSkeleton(layout: TableLayout): string[] {
  const t = `inet ${layout.table}`
  const lines = [`add table ${t}`, `add chain ${t} enforce`]
  for (const hook of layout.hooks) {
    lines.push(
      `add chain ${t} ${hook} { type filter hook ${hook} priority filter; policy accept; }`,
      `flush chain ${t} ${hook}`,
      `add rule ${t} ${hook} jump enforce`,
    )
  }
  return lines
}

/** Replaces the `enforce` chain with one rule per set of each group, switched by time. */
export function enforceChain(layout: TableLayout, groups: Iterable<ProgrammedGroup>): string[] {
  const t = `inet ${layout.table}`
  const lines = [`flush chain ${t} enforce`]
  for (const group of groups) {
    for (const key of group.keys()) {
      lines.push(
        `add rule ${t} enforce ${timeMatch(group)} ${match(key)} @${setName(group.base, key)} ${layout.verdict}`,
      )
    }
  }
  return lines
}

/** Creates one of a group's sets if missing and empties it (a full replace in one transaction). */
export function emptySet(layout: TableLayout, group: ProgrammedGroup, key: SetKey): string[] {
  const t = `inet ${layout.table}`
  const name = setName(group.base, key)
  const type = parseSetKey(key).family === 4 ? 'ipv4_addr' : 'ipv6_addr'
  return [
    `add set ${t} ${name} { type ${type}; flags timeout; comment "${comment(group.id)}"; }`,
    `flush set ${t} ${name}`,
  ]
}

/** Deletes sets by name (their rules must be flushed earlier in the same transaction). */
export function deleteSets(layout: TableLayout, names: Iterable<string>): string[] {
  return [...names].map((name) => `delete set inet ${layout.table} ${name}`)
}

/**
 * Adds prefixes to one of a group's sets, each with a timeout that ends at the group's `until`,
 * so the kernel forgets them by itself if the agent dies or is cut off.
 */
export function addElements(
  layout: TableLayout,
  group: ProgrammedGroup,
  key: SetKey,
  prefixes: string[],
  now: number,
): string[] {
  const timeout = group.until - now
  if (prefixes.length === 0 || timeout <= 0) return []
  const items = prefixes.map((prefix) => `${elementOf(prefix)} timeout ${timeout}ms`)
  return [`add element inet ${layout.table} ${setName(group.base, key)} { ${items.join(', ')} }`]
}

/** Deletes prefixes known to be in the set (absent ones would abort the whole transaction). */
export function deleteElements(
  layout: TableLayout,
  group: ProgrammedGroup,
  key: SetKey,
  prefixes: string[],
): string[] {
  if (prefixes.length === 0) return []
  const items = prefixes.map(elementOf)
  return [`delete element inet ${layout.table} ${setName(group.base, key)} { ${items.join(', ')} }`]
}
