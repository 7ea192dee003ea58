import { type EnforcementGroup, enforcedCount, type GroupOp } from '@offside/core'
import type { ApplyReport, Backend, BackendLog } from '../types.js'
import { type SetKey, setKeyOf, splitPrefixes } from './elements.js'
import { listSetNames, type NftTarget } from './nft.js'
import { NftSession } from './nft-session.js'
import {
  addElements,
  deleteElements,
  deleteSets,
  emptySet,
  enforceChain,
  GROUP_SET_PATTERN,
  type Hook,
  type ProgrammedGroup,
  setBase,
  setName,
  type TableLayout,
  tableSkeleton,
  type Verdict,
} from './script.js'

export type NftablesLog = BackendLog

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

/** A group as the kernel holds it: exactly the prefixes we sent, per set. */
interface GroupState extends ProgrammedGroup {
  sets: Map<SetKey, Set<string>>
}

function groupState(group: EnforcementGroup, sets: Map<SetKey, Set<string>>): GroupState {
  return {
    id: group.id,
    base: setBase(group.id),
    from: group.from,
    until: group.until,
    sets,
    keys: () => sets.keys(),
  }
}

const setNamesOf = (state: GroupState) => [...state.sets.keys()].map((key) => setName(state.base, key))

/**
 * Enforces groups with nftables (see docs/agent.md). Each group gets one hash set per address
 * family and prefix length present (hosts are length 32/128) and one rule per set in the
 * `enforce` chain that matches only while `meta time` is in `[from, until)`, so the kernel itself
 * switches the block on and off: activation costs no transaction. Every element times out at
 * `until`, so the block ends even if the agent dies. Each change is one atomic transaction
 * (small ones through a long-lived `nft -i`, nft-session.ts) that names only what changes; the backend keeps its own view of what it
 * programmed and reads the kernel only when it reconciles (start-up, snapshot).
 */
export class NftablesBackend implements Backend {
  readonly name = 'nftables' as const
  readonly #layout: TableLayout
  readonly #target: NftTarget
  readonly #log: NftablesLog | undefined
  readonly #groups = new Map<string, GroupState>()
  readonly #session: NftSession
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
    this.#session = new NftSession(this.#target)
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
      next.set(group.id, this.#build(group, now, lines))
    }
    const wanted = new Set([...next.values()].flatMap(setNamesOf))
    lines.push(...enforceChain(this.#layout, next.values()))
    lines.push(
      ...deleteSets(
        this.#layout,
        existing.filter((name) => !wanted.has(name)),
      ),
    )
    await this.#session.apply(lines)
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
      ...deleteSets(this.#layout, ended.flatMap(setNamesOf)),
    ]
    await this.#session.apply(lines)
    for (const state of ended) this.#groups.delete(state.id)
  }

  async close(): Promise<void> {
    await this.#session.close()
  }

  async #applyIncrementally(ops: GroupOp[], groups: EnforcementGroup[], now: number): Promise<void> {
    const wanted = new Map<string, EnforcementGroup>()
    for (const group of groups) if (group.until > now) wanted.set(group.id, group)
    const touched = new Map<string, GroupOp[]>()
    for (const op of ops) {
      const id = op.op === 'put' ? op.group.id : op.id
      const list = touched.get(id)
      if (list) list.push(op)
      else touched.set(id, [op])
    }
    for (const id of this.#groups.keys()) if (!wanted.has(id) && !touched.has(id)) touched.set(id, [])
    for (const id of wanted.keys()) if (!this.#groups.has(id) && !touched.has(id)) touched.set(id, [])

    const lines: string[] = []
    const next = new Map(this.#groups)
    const commits: Array<() => void> = []
    const ruleViews = new Map<string, ProgrammedGroup>()
    let rulesChanged = false
    const removedSets: string[] = []
    for (const [id, groupOps] of touched) {
      const group = wanted.get(id)
      const state = this.#groups.get(id)
      if (!group) {
        if (state) {
          next.delete(id)
          removedSets.push(...setNamesOf(state))
          rulesChanged = true
        }
        continue
      }
      if (state && !needsRebuild(state, group, groupOps, now)) {
        const patched = this.#patch(state, groupOps, now, lines)
        if (patched.created.length > 0) {
          // The new sets need rules, written from the group's keys as they will be after the change.
          ruleViews.set(id, { ...state, keys: () => [...state.sets.keys(), ...patched.created] })
          rulesChanged = true
        }
        commits.push(patched.commit)
        continue
      }
      const built = this.#build(group, now, lines)
      if (state) removedSets.push(...setNamesOf(state).filter((name) => !setNamesOf(built).includes(name)))
      next.set(id, built)
      rulesChanged = true
    }
    if (rulesChanged) {
      const groupsAfter = [...next.values()].map((state) => ruleViews.get(state.id) ?? state)
      lines.push(...enforceChain(this.#layout, groupsAfter))
    }
    lines.push(...deleteSets(this.#layout, removedSets))
    await this.#session.apply(lines)
    for (const commit of commits) commit()
    this.#groups.clear()
    for (const [id, state] of next) this.#groups.set(id, state)
  }

  /** Programs a group from scratch: creates and empties its sets, adds every prefix. */
  #build(group: EnforcementGroup, now: number, lines: string[]): GroupState {
    const split = splitPrefixes(group.prefixes)
    const state = groupState(group, new Map([...split].map(([key, prefixes]) => [key, new Set(prefixes)])))
    for (const [key, prefixes] of state.sets) {
      lines.push(...emptySet(this.#layout, state, key))
      lines.push(...addElements(this.#layout, state, key, [...prefixes], now))
    }
    return state
  }

  /**
   * Adds and removes the prefixes a group's patches name, without reading or rewriting the rest
   * of its sets: the cost is that of the patch, whatever the group's size. Removals of prefixes
   * not in a set are skipped (they would abort the transaction). `commit` records the change in
   * the backend's view once the kernel has taken it; `created` names the sets (and rules) it adds.
   */
  #patch(
    state: GroupState,
    ops: GroupOp[],
    now: number,
    lines: string[],
  ): { created: SetKey[]; commit: () => void } {
    const delta = new Map<string, boolean>()
    for (const op of ops) {
      if (op.op !== 'patch') continue
      for (const prefix of op.remove) delta.set(prefix, false)
      for (const prefix of op.add) delta.set(prefix, true)
    }
    const add = new Map<SetKey, string[]>()
    const remove = new Map<SetKey, string[]>()
    for (const [prefix, present] of delta) {
      const key = setKeyOf(prefix)
      const held = state.sets.get(key)?.has(prefix) ?? false
      if (present === held) continue
      const into = present ? add : remove
      const list = into.get(key)
      if (list) list.push(prefix)
      else into.set(key, [prefix])
    }
    const created = [...add.keys()].filter((key) => !state.sets.has(key))
    for (const key of created) lines.push(...emptySet(this.#layout, state, key))
    for (const [key, prefixes] of remove) lines.push(...deleteElements(this.#layout, state, key, prefixes))
    for (const [key, prefixes] of add) lines.push(...addElements(this.#layout, state, key, prefixes, now))
    const commit = () => {
      for (const key of created) state.sets.set(key, new Set())
      for (const [key, prefixes] of remove) for (const prefix of prefixes) state.sets.get(key)?.delete(prefix)
      for (const [key, prefixes] of add) for (const prefix of prefixes) state.sets.get(key)?.add(prefix)
    }
    return { created, commit }
  }
}

/** A group must be rebuilt when its instants moved (element timeouts change) or it was replaced. */
function needsRebuild(state: GroupState, group: EnforcementGroup, ops: GroupOp[], now: number): boolean {
  if (state.until <= now) return true
  if (state.from !== group.from || state.until !== group.until) return true
  return ops.some((op) => op.op !== 'patch')
}

/**
 * Counts prefixes enforced now (as `activeAt` counts them, like the agent's status) and staged for
 * later, over all groups. The windows of a matchday share one cover array (core's shareCovers and
 * applyGroupOps keep them shared), so lists are told apart by identity first: a 1-entry patch of
 * three windows holding one 112k cover then costs a pointer comparison per group, where a Set of
 * every prefix cost ≈ 300 ms of each revision (bench/agent/revision-cost.ts).
 */
export function report(groups: EnforcementGroup[], now: number): ApplyReport {
  const enforced = enforcedCount(groups, now)
  const enforcing = new Set<string[]>()
  const waiting = new Set<string[]>()
  for (const group of groups) {
    if (group.until <= now || group.prefixes.length === 0) continue
    ;(group.from <= now ? enforcing : waiting).add(group.prefixes)
  }
  for (const prefixes of enforcing) waiting.delete(prefixes)
  if (waiting.size === 0) return { enforced, staged: 0, notFitting: [] }
  if (enforcing.size === 0 && waiting.size === 1) {
    const [only] = waiting
    return { enforced, staged: only?.length ?? 0, notFitting: [] }
  }
  // Different lists staged beside different enforced ones (rare: a week's list uploaded ahead
  // while another competition's window is live): count what is staged and not enforced.
  const held = new Set([...enforcing].flat())
  const staged = new Set([...waiting].flat().filter((prefix) => !held.has(prefix)))
  return { enforced, staged: staged.size, notFitting: [] }
}

/** The factory the agent calls for `--backend nftables`. */
export function createNftablesBackend(options: NftablesOptions = {}): NftablesBackend {
  return new NftablesBackend(options)
}
