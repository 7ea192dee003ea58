import { spawn } from 'node:child_process'
import { appendFile, copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { applyGroupOps, type EnforcementGroup, type GroupOp } from '@offside/core'
import t, { type Test } from 'tap'
import { readState } from '../src/state-file.js'
import { COMPACT_AFTER_BYTES, COMPACT_AFTER_LINES, StateStore } from '../src/state-journal.js'
import { addedBy, BASE, basePrefixes } from './fixtures/journal-writer.js'

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
    const journals = (await readdir(dir)).filter((name) => name.startsWith('journal-'))
    t.equal(journals.length, 1, 'the old journal is gone')
    t.equal(await readFile(join(dir, journals[0] ?? ''), 'utf8'), '', 'and the fresh one is empty')
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
  'a change about as large as the state (a new 100k-entry group) is one journal line, and asks for a compaction',
  async (t) => {
    const dir = await folder(t)
    const { store } = await StateStore.open(dir)
    await store.compact({ revision: 1, groups: [] })
    const big = group([...basePrefixes(), ...basePrefixes().map((prefix) => prefix.replace('::1/', '::3/'))])
    await store.persist([{ op: 'put', group: big }], { revision: 2, groups: [big] })
    t.equal((await readState(dir)).revision, 1, 'state.json was not rewritten before the ack')
    t.ok(store.wantsCompaction, `a line past ${COMPACT_AFTER_BYTES} bytes asks for compaction`)
    await store.persist([patch(['203.0.113.9/32'])], { revision: 3, groups: [] })
    const { state } = await StateStore.open(dir)
    t.equal(state.revision, 3, 'both changes are there after a restart')
    t.equal(state.groups[0]?.prefixes.length, 2 * BASE + 1)
  },
)

t.test(
  'revisions recorded while a compaction runs go to the next journal, and a restart has them all',
  async (t) => {
    const dir = await folder(t)
    const { store } = await StateStore.open(dir)
    let groups = [group(Array.from({ length: 100_000 }, (_, i) => `2001:db8::${i.toString(16)}/128`))]
    await store.compact({ revision: 1, groups })
    store.compactInBackground({ revision: 1, groups })
    t.notOk(store.wantsCompaction, 'no second compaction while one runs')
    for (let n = 2; n <= 6; n++) {
      const ops = [patch([`198.51.100.${2 * n}/32`])]
      groups = applyGroupOps(groups, ops)
      await store.record(n, ops)
    }
    await store.close()
    const { state } = await StateStore.open(dir)
    t.equal(state.revision, 6)
    t.equal(state.groups[0]?.prefixes.length, 100_005, 'every patch recorded during the compaction is there')
    t.same(
      (await readdir(dir)).filter((name) => name.startsWith('journal-')),
      ['journal-3.ndjson'],
      'the journals before the compacted snapshot are gone',
    )
  },
)

t.test(
  'a compaction stopped before its rename leaves the old snapshot, and the old and the next journal replay in order',
  async (t) => {
    const dir = await folder(t)
    const { store } = await StateStore.open(dir)
    await store.compact({ revision: 1, groups: [group(['203.0.113.7/32'])] })
    await store.record(2, [patch(['198.51.100.2/32'])])
    await copyFile(join(dir, 'state.json'), join(dir, 'old-state.json'))
    const journal = (await readdir(dir)).find((name) => name.startsWith('journal-')) ?? ''
    await copyFile(join(dir, journal), join(dir, 'old-journal'))
    // The compaction moves new lines to the next journal at once; then it is "killed": the old
    // snapshot and journal put back as they were before its rename.
    store.compactInBackground({ revision: 2, groups: [group(['198.51.100.2/32', '203.0.113.7/32'])] })
    await store.record(3, [patch(['198.51.100.9/32'])])
    await store.close()
    await copyFile(join(dir, 'old-state.json'), join(dir, 'state.json'))
    await copyFile(join(dir, 'old-journal'), join(dir, journal))
    const { state } = await StateStore.open(dir)
    t.equal(state.revision, 3)
    t.same(state.groups[0]?.prefixes, ['198.51.100.2/32', '198.51.100.9/32', '203.0.113.7/32'])
  },
)

t.test(
  'a process killed (SIGKILL) mid-compaction restarts with every revision it acknowledged',
  async (t) => {
    const killPoints = [0, 2, 8] // acknowledged lines after the compaction started
    let caughtMidway = 0
    for (const after of killPoints) {
      const dir = await folder(t)
      const child = spawn(
        process.execPath,
        [
          '--conditions=@offside/source',
          '--import',
          'tsx',
          join(import.meta.dirname, 'fixtures/journal-writer.ts'),
          dir,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      )
      const exited = new Promise((done) => child.once('exit', done))
      let acked = 0
      let seen = -1
      let output = ''
      await new Promise<void>((done) => {
        const deadline = setTimeout(done, 60_000) // bounded: the assertions below tell what happened
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString()
          const lines = output.split('\n')
          output = lines.pop() ?? ''
          for (const line of lines) {
            if (line === 'compacting') seen = 0
            const match = /^acked (\d+)$/.exec(line)
            if (!match) continue
            acked = Number(match[1])
            if (seen >= 0 && seen++ >= after && child.exitCode === null) {
              child.kill('SIGKILL')
              clearTimeout(deadline)
              done()
            }
          }
        })
      })
      await exited
      t.ok(seen >= 0, `the writer started its compaction (kill after ${after} more acks)`)
      const files = await readdir(dir)
      if (
        files.some((name) => name.endsWith('.tmp')) ||
        files.filter((name) => name.startsWith('journal-')).length > 1
      )
        caughtMidway++
      const { state } = await StateStore.open(dir)
      t.ok(state.revision >= acked, `revision ${state.revision} holds the last acknowledged one, ${acked}`)
      const prefixes = new Set(state.groups[0]?.prefixes)
      t.equal(
        prefixes.size,
        BASE + state.revision - 1,
        'the base list and one prefix per revision, nothing else',
      )
      let missing = 0
      for (let n = 2; n <= state.revision; n++) if (!prefixes.has(addedBy(n))) missing++
      t.equal(missing, 0, 'every recorded revision is applied')
    }
    t.ok(
      caughtMidway > 0,
      `at least one kill landed mid-compaction (${caughtMidway} of ${killPoints.length})`,
    )
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

t.test(
  'a copy is journalled as one short line, not its prefixes, and a restart replays it to the same state',
  async (t) => {
    const dir = await folder(t)
    const { store } = await StateStore.open(dir)
    const source = group(basePrefixes().slice(0, 100_000))
    let groups = [source]
    await store.compact({ revision: 1, groups })
    const copy: GroupOp = {
      op: 'copy',
      id: 'w:m2',
      event: 'm2',
      from: source.from + 1,
      until: source.until + 1,
      source: 'w:m1',
    }
    const changes: [number, GroupOp[]][] = [
      [2, [copy]],
      [3, [patch(['198.51.100.1/32'])]], // the source changes after the copy; the copy does not
    ]
    for (const [revision, ops] of changes) {
      groups = applyGroupOps(groups, ops)
      await store.record(revision, ops)
    }
    const journal = (await readdir(dir)).find((name) => name.startsWith('journal-')) ?? ''
    const [copyLine] = (await readFile(join(dir, journal), 'utf8')).split('\n')
    t.ok((copyLine?.length ?? 0) < 200, `the copy's line holds ${copyLine?.length} bytes, not 100k prefixes`)
    // Not closed: the process died after its last acknowledged line.
    const { state } = await StateStore.open(dir)
    t.equal(state.revision, 3)
    t.same(state.groups, groups, 'the groups the agent held in memory')
    t.equal(state.groups[1]?.prefixes.length, 100_000, 'the copy holds the source as it was when copied')
    await store.close()
    const { store: again } = await StateStore.open(dir)
    await again.compact(state)
    await again.close()
    const compacted = await StateStore.open(dir)
    t.same(compacted.state.groups, groups, 'and so does the compacted state')
    await compacted.store.close()
  },
)
