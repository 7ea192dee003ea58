import { createHash } from 'node:crypto'
import { elementOf, type SetKind } from './elements.js'

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

/** One group as programmed: the instants its rules switch on and off, and its sets' base name. */
export interface ProgrammedGroup {
  id: string
  base: string
  from: number
  until: number
}

export const SET_KINDS: readonly SetKind[] = ['hosts4', 'nets4', 'hosts6', 'nets6']

const SET_SUFFIX: Record<SetKind, string> = { hosts4: 'h4', nets4: 'n4', hosts6: 'h6', nets6: 'n6' }

const SET_TYPE: Record<SetKind, string> = {
  hosts4: 'type ipv4_addr; flags timeout;',
  hosts6: 'type ipv6_addr; flags timeout;',
  nets4: 'type ipv4_addr . nf_proto; flags interval, timeout;',
  nets6: 'type ipv6_addr . nf_proto; flags interval, timeout;',
}

const MATCH: Record<SetKind, string> = {
  hosts4: 'ip daddr',
  hosts6: 'ip6 daddr',
  nets4: 'ip daddr . meta nfproto',
  nets6: 'ip6 daddr . meta nfproto',
}

/** All our sets are named `g_<hash>_<kind>`; anything else in the table is a chain we own. */
export const GROUP_SET_PATTERN = /^g_[0-9a-f]{16}_(h4|n4|h6|n6)$/

/** Group ids ("w:<eventId>") may hold any character; set names are derived from a hash of it. */
export function setBase(groupId: string): string {
  return `g_${createHash('sha256').update(groupId).digest('hex').slice(0, 16)}`
}

export function setName(base: string, kind: SetKind): string {
  return `${base}_${SET_SUFFIX[kind]}`
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
    for (const kind of SET_KINDS) {
      lines.push(
        `add rule ${t} enforce ${timeMatch(group)} ${MATCH[kind]} @${setName(group.base, kind)} ${layout.verdict}`,
      )
    }
  }
  return lines
}

/** Creates a group's four sets if missing and empties them (their rules must be flushed first). */
export function emptySets(layout: TableLayout, group: ProgrammedGroup): string[] {
  const t = `inet ${layout.table}`
  return SET_KINDS.flatMap((kind) => {
    const name = setName(group.base, kind)
    return [
      `add set ${t} ${name} { ${SET_TYPE[kind]} comment "${comment(group.id)}"; }`,
      `flush set ${t} ${name}`,
    ]
  })
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
  kind: SetKind,
  prefixes: string[],
  now: number,
): string[] {
  const timeout = group.until - now
  if (prefixes.length === 0 || timeout <= 0) return []
  const items = prefixes.map((prefix) => `${elementOf(prefix, kind)} timeout ${timeout}ms`)
  return [`add element inet ${layout.table} ${setName(group.base, kind)} { ${items.join(', ')} }`]
}

/** Deletes prefixes known to be in the set (absent ones would abort the whole transaction). */
export function deleteElements(
  layout: TableLayout,
  group: ProgrammedGroup,
  kind: SetKind,
  prefixes: string[],
): string[] {
  if (prefixes.length === 0) return []
  const items = prefixes.map((prefix) => elementOf(prefix, kind))
  return [`delete element inet ${layout.table} ${setName(group.base, kind)} { ${items.join(', ')} }`]
}
