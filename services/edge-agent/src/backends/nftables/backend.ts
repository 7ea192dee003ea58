import type { EnforcementGroup, GroupOp } from '@offside/core'
import type { ApplyReport, Backend } from '../types.js'
import { disjoint, type SetKind, setKindOf, splitPrefixes, withoutOverlaps } from './elements.js'
import { applyScript, listSetNames, type NftTarget } from './nft.js'
import {
  addElements,
  deleteElements,
  deleteSets,
  emptySets,
  enforceChain,
  GROUP_SET_PATTERN,
  type Hook,
  type ProgrammedGroup,
  SET_KINDS,
  setBase,
  setName,
  type TableLayout,
  tableSkeleton,
  type Verdict,
} from './script.js'

/** Where the backend reports what it did; pino's logger fits. */
export interface NftablesLog {
  info(details: object, message: string): void
  warn(details: object, message: string): void
}

export interface NftablesOptions {
  /** Our table, `inet <table>`; the backend never touches anything outside it. Default `offside`. */
  table?: string
  /** Run `nft` inside this network namespace (`ip netns exec`); default: the agent's own. */
  netns?: string
  /** Base chains to hook: `forward` for a routing gateway, `output` for the host itself. Default both. */
  hooks?: Hook[]
  /** `drop` (default) or `reject` (connections fail at once; handy in tests). */
  verdict?: Verdict
  log?: NftablesLog
}

/** A group as the kernel holds it: exactly the elements we sent, per set. */
interface GroupState extends ProgrammedGroup {
  sets: Record<SetKind, Set<string>>
  /** The nets sent were a cover of overlapping input, so removals may not match: rebuild on change. */
  covered: boolean
}

/**
 * Enforces groups with nftables (see docs/agent.md). Each group gets four sets (IPv4/IPv6 hosts
 * in hash sets, IPv4/IPv6 prefixes in interval sets) and one rule per set in the `enforce` chain
 * that matches only while `meta time` is in `[from, until)`, so the kernel itself switches the
 * block on and off: activation costs no transaction. Every element times out at `until`, so the
 * block ends even if the agent dies. Each change is one atomic `nft -f -` transaction.
 */
export class NftablesBackend implements Backend {
  readonly name = 'nftables' as const
  readonly #layout: TableLayout
  readonly #target: NftTarget
  readonly #log: NftablesLog | undefined
  readonly #groups = new Map<string, GroupState>()
  #reconciled = false

  constructor(options: NftablesOptions = {}) {
    this.#layout = {
      table: options.table ?? 'offside',
      hooks: options.hooks ?? ['forward', 'output'],
      verdict: options.verdict ?? 'drop',
    }
    if (!/^[A-Za-z][A-Za-z0-9_]{0,31}$/.test(this.#layout.table)) {
      throw new Error(`invalid nftables table name: ${this.#layout.table}`)
    }
    this.#target = { netns: options.netns }
    this.#log = options.log
  }

  /** Replaces every set's contents and every rule in one transaction; removes sets of other groups. */
  async reconcile(groups: EnforcementGroup[], now: number): Promise<ApplyReport> {
    const existing = (await listSetNames(this.#target, this.#layout.table)).filter((name) =>
      GROUP_SET_PATTERN.test(name),
    )
    const next = new Map<string, GroupState>()
    const lines = [...tableSkeleton(this.#layout), ...enforceChain(this.#layout, [])]
    for (const group of groups) {
      if (group.until <= now) continue
      const state = this.#build(group, now, lines)
      next.set(group.id, state)
    }
    const wanted = new Set(
      [...next.values()].flatMap((state) => SET_KINDS.map((kind) => setName(state.base, kind))),
    )
    lines.push(...enforceChain(this.#layout, next.values()))
    lines.push(
      ...deleteSets(
        this.#layout,
        existing.filter((name) => !wanted.has(name)),
      ),
    )
    await applyScript(this.#target, lines)
    this.#groups.clear()
    for (const [id, state] of next) this.#groups.set(id, state)
    this.#reconciled = true
    return report(groups, now)
  }

  async apply(ops: GroupOp[], groups: EnforcementGroup[], now: number): Promise<ApplyReport> {
    if (!this.#reconciled) return this.reconcile(groups, now)
    try {
      await this.#applyIncrementally(ops, groups, now)
    } catch (err) {
      // Our picture of the kernel was wrong (someone flushed the table?): make it right in full.
      this.#log?.warn({ err }, 'nftables: incremental change refused, reconciling the whole table')
      return this.reconcile(groups, now)
    }
    return report(groups, now)
  }

  /** Removes the sets and rules of ended groups; their elements have already timed out. */
  async tick(now: number): Promise<void> {
    const ended = [...this.#groups.values()].filter((state) => state.until <= now)
    if (ended.length === 0) return
    const remaining = [...this.#groups.values()].filter((state) => state.until > now)
    const lines = [
      ...enforceChain(this.#layout, remaining),
      ...deleteSets(
        this.#layout,
        ended.flatMap((state) => SET_KINDS.map((kind) => setName(state.base, kind))),
      ),
    ]
    await applyScript(this.#target, lines)
    for (const state of ended) this.#groups.delete(state.id)
  }

  async close(): Promise<void> {}

  async #applyIncrementally(ops: GroupOp[], groups: EnforcementGroup[], now: number): Promise<void> {
    const wanted = new Map(groups.filter((group) => group.until > now).map((group) => [group.id, group]))
    const touched = new Map<string, GroupOp[]>()
    for (const op of ops) {
      const id = op.op === 'put' ? op.group.id : op.id
      touched.set(id, [...(touched.get(id) ?? []), op])
    }
    for (const id of this.#groups.keys()) if (!wanted.has(id)) touched.set(id, touched.get(id) ?? [])
    for (const id of wanted.keys()) if (!this.#groups.has(id)) touched.set(id, touched.get(id) ?? [])

    const lines: string[] = []
    const next = new Map(this.#groups)
    let rulesChanged = false
    const removedSets: string[] = []
    for (const [id, groupOps] of touched) {
      const group = wanted.get(id)
      const state = this.#groups.get(id)
      if (!group) {
        if (state) {
          next.delete(id)
          removedSets.push(...SET_KINDS.map((kind) => setName(state.base, kind)))
          rulesChanged = true
        }
        continue
      }
      const patched =
        state && !needsRebuild(state, group, groupOps, now) && this.#patch(state, groupOps, now, lines)
      if (patched) continue
      next.set(id, this.#build(group, now, lines))
      rulesChanged = true
    }
    if (rulesChanged) lines.push(...enforceChain(this.#layout, next.values()))
    lines.push(...deleteSets(this.#layout, removedSets))
    await applyScript(this.#target, lines)
    this.#groups.clear()
    for (const [id, state] of next) this.#groups.set(id, state)
  }

  /** Programs a group from scratch: creates and empties its sets, adds every prefix. */
  #build(group: EnforcementGroup, now: number, lines: string[]): GroupState {
    const split = splitPrefixes(group.prefixes)
    const nets4 = withoutOverlaps(split.nets4)
    const nets6 = withoutOverlaps(split.nets6)
    if (nets4.covered || nets6.covered) {
      this.#log?.warn({ group: group.id }, 'nftables: overlapping prefixes in a group, sending their cover')
    }
    const state: GroupState = {
      id: group.id,
      base: setBase(group.id),
      from: group.from,
      until: group.until,
      covered: nets4.covered || nets6.covered,
      sets: {
        hosts4: new Set(split.hosts4),
        hosts6: new Set(split.hosts6),
        nets4: new Set(nets4.nets),
        nets6: new Set(nets6.nets),
      },
    }
    lines.push(...emptySets(this.#layout, state))
    for (const kind of SET_KINDS)
      lines.push(...addElements(this.#layout, state, kind, [...state.sets[kind]], now))
    return state
  }

  /**
   * Adds and removes the prefixes a group's patches name, without reading or rewriting the rest
   * of its sets. Removals of prefixes not in a set are skipped (they would abort the transaction).
   * Returns false when the change cannot be made in place (new intervals would overlap).
   */
  #patch(state: GroupState, ops: GroupOp[], now: number, lines: string[]): boolean {
    const delta = new Map<string, boolean>()
    for (const op of ops) {
      if (op.op !== 'patch') return false
      for (const prefix of op.remove) delta.set(prefix, false)
      for (const prefix of op.add) delta.set(prefix, true)
    }
    const add: Record<SetKind, string[]> = { hosts4: [], hosts6: [], nets4: [], nets6: [] }
    const remove: Record<SetKind, string[]> = { hosts4: [], hosts6: [], nets4: [], nets6: [] }
    for (const [prefix, present] of delta) {
      const kind = setKindOf(prefix)
      const held = state.sets[kind].has(prefix)
      if (present && !held) add[kind].push(prefix)
      if (!present && held) remove[kind].push(prefix)
    }
    for (const kind of ['nets4', 'nets6'] as const) {
      if (add[kind].length === 0) continue
      const removed = new Set(remove[kind])
      const after = [...state.sets[kind]].filter((net) => !removed.has(net)).concat(add[kind])
      if (!disjoint(after)) return false
    }
    for (const kind of SET_KINDS) {
      lines.push(...deleteElements(this.#layout, state, kind, remove[kind]))
      lines.push(...addElements(this.#layout, state, kind, add[kind], now))
      for (const prefix of remove[kind]) state.sets[kind].delete(prefix)
      for (const prefix of add[kind]) state.sets[kind].add(prefix)
    }
    return true
  }
}

/** A group must be rebuilt when its instants moved (element timeouts change) or it was replaced. */
function needsRebuild(state: GroupState, group: EnforcementGroup, ops: GroupOp[], now: number): boolean {
  if (state.covered || state.until <= now) return true
  if (state.from !== group.from || state.until !== group.until) return true
  return ops.some((op) => op.op !== 'patch')
}

/** Counts distinct prefixes enforced now and staged for later, over all groups. */
export function report(groups: EnforcementGroup[], now: number): ApplyReport {
  const live = groups.filter((group) => group.until > now)
  const enforcing = live.filter((group) => group.from <= now)
  const waiting = live.filter((group) => group.from > now)
  // One group (the usual case) needs no de-duplication: its prefixes are a minimal cover. This
  // keeps a hot addition into a 100k group from paying for a 100k-element Set.
  if (live.length <= 1) {
    const count = (list: EnforcementGroup[]) => list.reduce((sum, group) => sum + group.prefixes.length, 0)
    return { enforced: count(enforcing), staged: count(waiting), notFitting: [] }
  }
  const enforced = new Set(enforcing.flatMap((group) => group.prefixes))
  const staged = new Set(waiting.flatMap((group) => group.prefixes).filter((prefix) => !enforced.has(prefix)))
  return { enforced: enforced.size, staged: staged.size, notFitting: [] }
}

/** The factory the agent calls for `--backend nftables`. */
export function createNftablesBackend(options: NftablesOptions = {}): NftablesBackend {
  return new NftablesBackend(options)
}
