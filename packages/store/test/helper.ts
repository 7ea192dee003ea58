import type { EnforcementGroup } from '@offside/core'
import { startRedis } from '@offside/testkit'
import { Redis } from 'ioredis'
import type { Test } from 'tap'
import { createDb, type Db } from '../src/keys.js'
import type { RevisionDraft } from '../src/revisions.js'

/** A Db on a redis-server of the test's own, keys under `test:`; both closed when the test ends. */
export async function connect(t: Test): Promise<Db> {
  const server = await startRedis(t)
  const redis = new Redis(server.url)
  t.teardown(() => redis.quit())
  return createDb(redis, 'test:')
}

/** One window's group, one host. */
export const group: EnforcementGroup = {
  id: 'w:m1',
  event: 'm1',
  from: 1_800_000_000_000,
  until: 1_800_000_600_000,
  prefixes: ['203.0.113.7/32'],
}

/** The revision after `previous` that puts `group` (with `prefixes`, if given), as the scheduler drafts it. */
export function draft(
  previous: number,
  { prefixes, ...overrides }: Partial<RevisionDraft> & { prefixes?: string[] } = {},
): RevisionDraft {
  const next = prefixes ? { ...group, prefixes } : group
  return {
    previous,
    issuedAt: 1_800_000_000_000 + previous,
    cause: { kind: 'list-upload', requestedAt: 1_800_000_000_000, rightsholder: 'sky-it' },
    ops: [{ op: 'put', group: next }],
    groups: [next],
    live: [],
    enforcedCount: 0,
    ...overrides,
  }
}
