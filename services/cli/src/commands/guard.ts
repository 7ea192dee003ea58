import type { Command } from 'commander'
import { type Cli, decisionCommands, listCommand } from '../context.js'

interface Held {
  id: string
  rightsholder: string
  week: string
  target: string
  reasons: { code: string; name?: string; message?: string }[]
  source: string
  heldAt: string
  status: string
}

interface BreakerHold {
  id: string
  status: string
  createdAt: string
  cause: { kind?: string }
  latestCause: { kind?: string }
  previous: { v4Addresses: number; v6Prefixes48: number }
  next: { v4Addresses: number; v6Prefixes48: number }
  factor: number | null
  added: number
  reason: { code: string; message: string }
  lapsesAt: string
}

interface ProtectedRange {
  prefix: string
  name: string
  source?: string
}

const reasonText = (held: Held) =>
  held.reasons.map((r) => (r.name ? `${r.code} (${r.name})` : r.code)).join(', ')

/** `held …`, `breaker …` and `protected …`: the guard's review, for the ops task force. */
export function registerGuard(program: Command, cli: Cli): void {
  const held = program.command('held').description('entries the overblocking guard held for review (ops)')
  listCommand(
    held
      .command('list')
      .description('pending held entries, oldest first')
      .option('--rightsholder <id>', 'only this rightsholder'),
    cli,
    {
      role: 'ops',
      resource: '/v1/guard/held',
      filter: 'rightsholder',
      key: 'held',
      heading: (total) => `${total} held entr${total === 1 ? 'y' : 'ies'} pending`,
      line: (h: Held) => `  ${h.id}\t${h.target}\t${h.rightsholder} ${h.week}\t${reasonText(h)}`,
    },
  )
  decisionCommands(held, cli, {
    role: 'ops',
    resource: '/v1/guard/held',
    actions: {
      approve: 'approve a held entry: it joins its list and is enforced at once',
      reject: 'reject a held entry: it stays out of enforcement',
    },
    done: (decided: Held) => `${decided.status} ${decided.id} (${decided.target})`,
  })

  const breaker = program
    .command('breaker')
    .description(
      'circuit-breaker holds: revisions held whole because they enlarge enforcement too much (ops)',
    )
  breaker
    .command('list')
    .description('circuit-breaker holds (pending by default)')
    .addHelpText('after', '\nStatuses: pending, approved, rejected, superseded, all.')
    .option('--status <status>', 'pending | approved | rejected | superseded | all', 'pending')
    .action(async (options: { status: string }) => {
      const result = (await cli.call('ops', '/v1/guard/breaker', { query: { status: options.status } })) as {
        holds: BreakerHold[]
      }
      cli.show(result, () => {
        if (result.holds.length === 0) cli.io.out(`no ${options.status} circuit-breaker hold`)
        for (const h of result.holds) {
          const factor = h.factor === null ? 'from nothing' : `×${h.factor.toFixed(1)}`
          cli.io.out(
            `${h.id}\t${h.status}\t${factor}: ${h.previous.v4Addresses} → ${h.next.v4Addresses} IPv4 addresses, ` +
              `${h.previous.v6Prefixes48} → ${h.next.v6Prefixes48} IPv6 /48s, ${h.added} prefixes added`,
          )
          cli.io.out(
            `  cause ${h.cause.kind ?? '?'} (latest ${h.latestCause.kind ?? '?'}); ${h.reason.message}`,
          )
          cli.io.out(`  held since ${h.createdAt}, decision honoured until ${h.lapsesAt}`)
        }
      })
    })
  decisionCommands(breaker, cli, {
    role: 'ops',
    resource: '/v1/guard/breaker',
    actions: {
      approve: 'approve a hold: the whole held growth is published at once',
      reject: 'reject a hold: the growth stays out of enforcement until the hold lapses',
    },
    done: (hold: BreakerHold) => `${hold.status} circuit-breaker hold ${hold.id}`,
  })

  const ranges = program
    .command('protected')
    .description('protected ranges (CDNs, public resolvers, national ISPs): the guard holds what they cover')
  const readRanges = async () =>
    (await cli.call('ops', '/v1/guard/protected')) as { origin: string; ranges: ProtectedRange[] }
  const putRanges = async (next: ProtectedRange[]) =>
    (await cli.call('ops', '/v1/guard/protected', { method: 'PUT', body: { ranges: next } })) as {
      ranges: number
      newlyHeld: { id: string; target: string; rightsholder: string; week: string }[]
    }
  const printResult = (result: Awaited<ReturnType<typeof putRanges>>) =>
    cli.show(result, () => {
      cli.io.out(`${result.ranges} protected ranges in force`)
      for (const h of result.newlyHeld)
        cli.io.out(`  left enforcement, held for review: ${h.target} (${h.rightsholder} ${h.week}, ${h.id})`)
    })
  ranges
    .command('list')
    .description('the protected ranges in force')
    .action(async () => {
      const table = await readRanges()
      cli.show(table, () => {
        cli.io.out(`${table.ranges.length} protected ranges (${table.origin})`)
        for (const r of table.ranges) cli.io.out(`  ${r.prefix}\t${r.name}`)
      })
    })
  ranges
    .command('add <prefix>')
    .description('add a range; listed entries it covers leave enforcement at once (retroactive guard)')
    .requiredOption('--name <name>', 'whose range it is, e.g. "Example CDN"')
    .action(async (prefix: string, options: { name: string }) => {
      const table = await readRanges()
      printResult(await putRanges([...table.ranges, { prefix, name: options.name }]))
    })
  ranges
    .command('remove <prefix>')
    .description('remove a range (exactly as listed)')
    .action(async (prefix: string) => {
      const table = await readRanges()
      const kept = table.ranges.filter((r) => r.prefix !== prefix)
      if (kept.length === table.ranges.length) throw new Error(`${prefix} is not a protected range`)
      printResult(await putRanges(kept))
    })
}
