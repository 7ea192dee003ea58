import type { Competition } from '@offside/core'
import { addHotEntries, createDb, type ListEntry, swapWeeklyList } from '@offside/store'
import { startRedis } from '@offside/testkit'
import { Redis } from 'ioredis'
import t from 'tap'
import { surveillanceReader } from '../../src/read/surveillance.js'

const redis = await startRedis(t)
const client = new Redis(redis.url)
t.teardown(() => client.quit())
const db = createDb(client)
// Wednesday of 2026-W48 in Rome.
const now = Date.parse('2026-11-25T12:00:00Z')
const serieA: Competition = {
  id: 'serie-a',
  name: 'Serie A',
  timeZone: 'Europe/Rome',
  preMinutes: 15,
  postMinutes: 30,
}

async function upload(rightsholder: string, week: string, targets: string[]): Promise<void> {
  const accepted: ListEntry[] = targets.map((target) => ({ target }))
  await swapWeeklyList(db, {
    version: {
      summary: {
        rightsholder,
        week,
        version: `v-${week}-${targets.length}`,
        uploadedAt: now,
        uploadedBy: rightsholder,
        entries: targets.length,
        accepted: targets.length,
        held: 0,
        rejected: 0,
        hotAdditions: 0,
      },
      accepted,
      verdicts: [],
    },
    held: [],
  })
}

const read = surveillanceReader(db)

t.test(
  'an entry listed last week and not this week is under surveillance for its rightsholder',
  async (t) => {
    await upload('sky-it', '2026-W47', ['203.0.113.7/32', '203.0.113.99/32', '198.51.100.0/24'])
    await upload('sky-it', '2026-W48', ['203.0.113.7/32', '198.51.100.0/24'])
    await upload('dazn', '2026-W48', ['192.0.2.10/32'])
    t.same(
      await read(now, [serieA]),
      [
        {
          rightsholder: 'sky-it',
          week: '2026-W48',
          lastListed: '2026-W47',
          total: 1,
          entries: ['203.0.113.99'],
        },
      ],
      'only the dropped entry, under its own rightsholder; a rightsholder with nothing dropped is not shown',
    )
  },
)

t.test('an entry hot-added back this week leaves surveillance at the next read', async (t) => {
  await addHotEntries(db, {
    rightsholder: 'sky-it',
    week: '2026-W48',
    accepted: [{ target: '203.0.113.99/32', source: 'hot-addition', at: now, by: 'sky-it' }],
    held: [],
    rejected: 0,
    now,
    by: 'sky-it',
  })
  t.same(await read(now, [serieA]), [], 'listed again, so no longer under surveillance')
})

t.test('a list uploaded ahead for next week shows what it drops from this week', async (t) => {
  await upload('sky-it', '2026-W49', ['203.0.113.7/32'])
  const next = (await read(now, [serieA])).find((s) => s.week === '2026-W49')
  t.same(
    next?.entries,
    ['198.51.100.0/24', '203.0.113.99'],
    'next week drops the /24 and this week’s hot addition, which counts as listed this week',
  )
  t.equal(next?.lastListed, '2026-W48', 'last listed this week')
  t.same(
    (await read(now, [serieA])).map((s) => s.week),
    ['2026-W49'],
    'this week has nothing under surveillance, so only next week is shown',
  )
})
