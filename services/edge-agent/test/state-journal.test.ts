import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { EnforcementGroup, GroupOp } from '@offside/core'
import t, { type Test } from 'tap'
import { readState } from '../src/state-file.js'
import { COMPACT_AFTER_LINES, LARGE_CHANGE_ENTRIES, StateStore } from '../src/state-journal.js'

const group = (prefixes: string[]): EnforcementGroup => ({
  id: 'w:m1',
  event: 'm1',
  from: 1_800_000_000_000,
  until: 1_800_000_600_000,
  prefixes,
})
const patch = (add: string[], remove: string[] = []): GroupOp => ({
  op: 'patch',
  id: 'w:m1',
  from: 1_800_000_000_000,
  until: 1_800_000_600_000,
  add,
  remove,
})

async function folder(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'offside-journal-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  return dir
}

t.test('a restart recovers the snapshot and every journalled change after it, in order', async (t) => {
  const dir = await folder(t)
  const { store, state } = await StateStore.open(dir)
  t.same(state, { revision: 0, groups: [] }, 'a fresh folder is an empty state')
  await store.compact({ revision: 1, groups: [group(['203.0.113.7/32'])] })
  await store.record(2, [patch(['198.51.100.1/32'])])
  await store.record(3, []) // a window opening: only the number changes
  await store.record(4, [patch([], ['203.0.113.7/32'])])
  const { state: restarted } = await StateStore.open(dir)
  t.equal(restarted.revision, 4, 'the last journalled revision')
  t.same(restarted.groups[0]?.prefixes, ['198.51.100.1/32'], 'every patch applied in order')
})

t.test(
  'a torn last line (a crash mid-append, before the ack) is ignored, and appending goes on after it',
  async (t) => {
    const dir = await folder(t)
    const { store } = await StateStore.open(dir)
    await store.compact({ revision: 1, groups: [group(['203.0.113.7/32'])] })
    await store.record(2, [patch(['198.51.100.1/32'])])
    const [journal] = (await readdir(dir)).filter((name) => name.startsWith('journal-'))
    await appendFile(
      join(dir, journal ?? ''),
      '{"revision":3,"ops":[{"op":"patch","id":"w:m1","add":["198.51',
    )
    const { store: reopened, state } = await StateStore.open(dir)
    t.equal(state.revision, 2, 'the torn revision 3 was never acknowledged, so it is not there')
    await reopened.record(3, [patch(['198.51.100.3/32'])])
    const { state: again } = await StateStore.open(dir)
    t.equal(again.revision, 3, 'the next append starts on a clean line')
    t.same(again.groups[0]?.prefixes, ['198.51.100.1/32', '198.51.100.3/32', '203.0.113.7/32'])
  },
)

t.test('a damaged line before the last is refused loudly rather than starting from less', async (t) => {
  const dir = await folder(t)
  const { store } = await StateStore.open(dir)
  await store.compact({ revision: 1, groups: [group(['203.0.113.7/32'])] })
  const [journal] = (await readdir(dir)).filter((name) => name.startsWith('journal-'))
  await writeFile(join(dir, journal ?? 'journal-2.ndjson'), 'not json\n{"revision":2,"ops":[]}\n')
  await t.rejects(StateStore.open(dir), /line 1 is damaged/)
})

t.test(
  'compaction folds the journal into the snapshot and starts a fresh journal, losing nothing',
  async (t) => {
    const dir = await folder(t)
    const { store } = await StateStore.open(dir)
    let groups = [group([])]
    await store.compact({ revision: 1, groups })
    for (let i = 0; i < COMPACT_AFTER_LINES; i++) {
      await store.record(i + 2, [patch([`198.51.100.${i % 250}/32`])])
    }
    t.ok(store.wantsCompaction, `a journal of ${COMPACT_AFTER_LINES} lines asks for compaction`)
    const { state } = await StateStore.open(dir)
    groups = state.groups
    await store.compact(state)
    t.notOk(store.wantsCompaction, 'and not after it')
    const files = (await readdir(dir)).sort()
    t.same(
      files.filter((name) => name.startsWith('journal-')),
      [],
      'the old journal is gone (the fresh one appears with the next change)',
    )
    const snapshot = await readState(dir)
    t.equal(snapshot.revision, COMPACT_AFTER_LINES + 1, 'the snapshot holds the last revision')
    await store.record(COMPACT_AFTER_LINES + 2, [patch(['203.0.113.9/32'])])
    const { state: after } = await StateStore.open(dir)
    t.equal(after.revision, COMPACT_AFTER_LINES + 2)
    t.same(after.groups[0]?.prefixes, [...(groups[0]?.prefixes ?? []), '203.0.113.9/32'].sort())
    t.match(await readFile(join(dir, 'state.json'), 'utf8'), /"journal":"journal-\d+\.ndjson"/)
  },
)

t.test(
  'an older agent state folder (state.json and revision.json, no journal) is read as before',
  async (t) => {
    const dir = await folder(t)
    await writeFile(
      join(dir, 'state.json'),
      JSON.stringify({ revision: 5, groups: [group(['203.0.113.7/32'])] }),
    )
    await writeFile(join(dir, 'revision.json'), JSON.stringify({ revision: 6 }))
    const { store, state } = await StateStore.open(dir)
    t.equal(state.revision, 6)
    t.same(state.groups[0]?.prefixes, ['203.0.113.7/32'])
    await store.record(7, [patch(['198.51.100.7/32'])])
    const { state: after } = await StateStore.open(dir)
    t.equal(after.revision, 7, 'and journalled from there')
  },
)

t.test(
  'a change about as large as the state (a new 100k-entry group) is persisted as a snapshot, not a line',
  async (t) => {
    const dir = await folder(t)
    const { store } = await StateStore.open(dir)
    await store.compact({ revision: 1, groups: [] })
    const big = group(
      Array.from({ length: LARGE_CHANGE_ENTRIES + 1 }, (_, i) => `198.18.${i >>> 8}.${i & 255}/32`),
    )
    await store.persist([{ op: 'put', group: big }], { revision: 2, groups: [big] })
    t.equal((await readState(dir)).revision, 2, 'state.json holds it')
    t.notOk(store.wantsCompaction, 'nothing left to compact')
    await store.persist([patch(['203.0.113.9/32'])], { revision: 3, groups: [] })
    const { state } = await StateStore.open(dir)
    t.equal(state.revision, 3, 'and the next small change is a journal line after it')
    t.equal(state.groups[0]?.prefixes.length, LARGE_CHANGE_ENTRIES + 2)
  },
)

t.test(
  'the history a revision belongs to (epoch and chain) survives a restart, from the snapshot and from the journal',
  async (t) => {
    const dir = await folder(t)
    const { store } = await StateStore.open(dir)
    await store.compact({ revision: 1, groups: [group(['203.0.113.7/32'])], epoch: 'e1', chain: 'c1' })
    const { state: fromSnapshot } = await StateStore.open(dir)
    t.same(
      { epoch: fromSnapshot.epoch, chain: fromSnapshot.chain },
      { epoch: 'e1', chain: 'c1' },
      'from the snapshot',
    )
    await store.record(2, [patch(['198.51.100.1/32'])], { epoch: 'e1', chain: 'c2' })
    await store.record(2, [{ op: 'drop', id: 'w:m1' }]) // a group ending by the clock: no new history
    const { state } = await StateStore.open(dir)
    t.same(
      { revision: state.revision, epoch: state.epoch, chain: state.chain },
      { revision: 2, epoch: 'e1', chain: 'c2' },
      'from the last journal line that named it',
    )
  },
)
