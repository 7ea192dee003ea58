import { readFile } from 'node:fs/promises'
import { extname, resolve } from 'node:path'
import type { Order } from '@offside/core'
import { Command, CommanderError } from 'commander'
import { ApiError, describeError } from './client.js'
import { registerAgents } from './commands/agents.js'
import { registerAudit } from './commands/audit.js'
import { registerComplaints } from './commands/complaints.js'
import { registerGuard } from './commands/guard.js'
import { registerIdentity } from './commands/identity.js'
import { registerOrders } from './commands/orders.js'
import { registerReports } from './commands/reports.js'
import { bashCompletion } from './completion.js'
import { type CliIo, cliContext } from './context.js'
import { listWarnings } from './list-warnings.js'

export type { CliIo } from './context.js'

function contentTypeOf(file: string, allowed: Record<string, string>): string {
  const type = allowed[extname(file).toLowerCase()]
  if (!type) throw new Error(`${file}: expected one of ${Object.keys(allowed).join(', ')}`)
  return type
}

type Verdict = { index: number; target: string; reason: string }

function printVerdicts(
  io: CliIo,
  result: { accepted: number; held: Verdict[]; rejected: Verdict[]; unchanged?: boolean; version?: string },
) {
  io.out(
    `accepted ${result.accepted}, held ${result.held.length}, rejected ${result.rejected.length}${result.unchanged ? ' (unchanged: same list as before)' : ''}`,
  )
  for (const held of result.held) io.out(`  held     #${held.index} ${held.target}: ${held.reason}`)
  for (const rejected of result.rejected)
    io.out(`  rejected #${rejected.index} ${rejected.target}: ${rejected.reason}`)
}

/**
 * Warns (stderr) before a list change that would be stored but not enforced. Reading the orders
 * is best effort: a token that may not read them skips the season check, never the upload.
 */
async function warnFor(cli: ReturnType<typeof cliContext>, rightsholder: string, week: string) {
  const orders = await cli.call('rightsholder', '/v1/orders').then(
    (result) => (result as { orders: Order[] }).orders,
    () => null,
  )
  const warnings = listWarnings(week, rightsholder, orders ?? [], Date.now())
  for (const warning of warnings) if (orders !== null || !warning.startsWith('no order')) cli.warn(warning)
}

/** Builds the `offside` program. Every command has help text (`offside help <command>`). */
export function buildProgram(io: CliIo): Command {
  const program = new Command('offside')
  program
    .description('Command line for the Offside control-plane API (live-event IP blocking).')
    .option('--api <url>', 'API base URL (default: $OFFSIDE_API_URL, then .offside/demo.env)')
    .option(
      '--token <token>',
      "bearer token (default: $OFFSIDE_TOKEN, then the demo's token for the command's role)",
    )
    .option('--json', 'print the raw JSON answer')
    .configureOutput({
      writeOut: (text) => io.out(text.trimEnd()),
      writeErr: (text) => io.err(text.trimEnd()),
    })
    .exitOverride()
    .showHelpAfterError()
    .addHelpText(
      'after',
      [
        '',
        'Against ./scripts/demo each command uses the demo token of the role it acts as',
        '(held/breaker/protected: ops; list: rightsholder; order/complaint decide/token: authority).',
        '',
        'Examples:',
        '  offside org create sky-it --kind rightsholder --name "Sky Italia"',
        '  offside list upload sky-it 2026-W48 list.csv --evidence sha256:…',
        '  offside held list',
        '  offside breaker list',
        '  offside complaint decide c_… --outcome revoke --reason "shared hosting" --preview',
        '  source <(offside completion bash)',
      ].join('\n'),
    )

  const cli = cliContext(program, io)
  const show = cli.show
  const warnAboutWeek = (rightsholder: string, week: string) => warnFor(cli, rightsholder, week)

  registerIdentity(program, cli)

  const events = program.command('events').description('the match calendar')
  events
    .command('import <file>')
    .description('import many events from a .json, .csv or .ics file (all or nothing)')
    .option('--competition <id>', 'competition for rows that do not name one')
    .action(async (file: string, options: { competition?: string }) => {
      const contentType = contentTypeOf(file, {
        '.json': 'application/json',
        '.csv': 'text/csv',
        '.ics': 'text/calendar',
      })
      const result = (await cli.call('authority', '/v1/events:import', {
        method: 'POST',
        raw: { contentType, data: await readFile(resolve(io.cwd, file)) },
        query: { competition: options.competition },
      })) as {
        imported: number
        events: { id: string; kickoff: string; window: { opensAt: string; closesAt: string } | null }[]
      }
      show(result, () => {
        io.out(`imported ${result.imported} events`)
        for (const e of result.events)
          io.out(
            `  ${e.id}\t${e.kickoff}\t${e.window ? `window ${e.window.opensAt} → ${e.window.closesAt}` : 'no window'}`,
          )
      })
    })

  const list = program.command('list').description("a rightsholder's weekly lists")
  list
    .command('upload <rightsholder> <week> <file>')
    .description(
      'replace the whole weekly list (week like 2026-W48) from a .csv (first column target) or .json file',
    )
    .option('--evidence <sha256>', 'evidence hash for entries that carry none (sha256:<64 hex>)')
    .option('--criterion <text>', 'criterion the entries meet, e.g. sole-or-predominant-purpose')
    .action(
      async (
        rightsholder: string,
        week: string,
        file: string,
        options: { evidence?: string; criterion?: string },
      ) => {
        const contentType = contentTypeOf(file, { '.csv': 'text/csv', '.json': 'application/json' })
        await warnAboutWeek(rightsholder, week)
        const path = `/v1/lists/${encodeURIComponent(rightsholder)}/${encodeURIComponent(week)}`
        const result = await cli.call('rightsholder', path, {
          method: 'PUT',
          raw: { contentType, data: await readFile(resolve(io.cwd, file)) },
          query: { evidence: options.evidence, criterion: options.criterion },
        })
        show(result, () => printVerdicts(io, result as Parameters<typeof printVerdicts>[1]))
      },
    )
  list
    .command('add <rightsholder> <week> <targets...>')
    .description('hot additions during a live match: add addresses to the current list, enforced at once')
    .requiredOption('--evidence <sha256>', 'evidence hash (sha256:<64 hex>)')
    .option('--note <text>', 'a note kept with each entry')
    .action(
      async (
        rightsholder: string,
        week: string,
        targets: string[],
        options: { evidence: string; note?: string },
      ) => {
        await warnAboutWeek(rightsholder, week)
        const path = `/v1/lists/${encodeURIComponent(rightsholder)}/${encodeURIComponent(week)}/entries`
        const entries = targets.map((target) => ({ target, ...(options.note ? { note: options.note } : {}) }))
        const result = await cli.call('rightsholder', path, {
          method: 'POST',
          body: { entries, evidence: options.evidence },
        })
        show(result, () => printVerdicts(io, result as Parameters<typeof printVerdicts>[1]))
      },
    )
  list
    .command('surveillance <rightsholder> <week>')
    .description("last week's entries no longer listed this week: visible, not enforced (SPEC rule 3)")
    .action(async (rightsholder: string, week: string) => {
      const path = `/v1/lists/${encodeURIComponent(rightsholder)}/${encodeURIComponent(week)}/surveillance`
      const result = (await cli.call('rightsholder', path)) as {
        previousWeek: string
        total: number
        entries: string[]
      }
      show(result, () => {
        io.out(`${result.total} under surveillance (listed in ${result.previousWeek}, not in ${week})`)
        for (const entry of result.entries) io.out(`  ${entry}`)
      })
    })

  program
    .command('state')
    .description('what is enforced now: revision, live windows, enforced entries')
    .option('--entries', 'also list every enforced entry with its until and provenance')
    .action(async (options: { entries?: boolean }) => {
      const state = (await cli.call('ops', '/v1/state')) as {
        revision: number
        enforced: number
        enforcedNames?: number
        live: { event: string; competition: string; opensAt: string; closesAt: string; week: string }[]
        upcoming: { event: string; opensAt: string }[]
      }
      const entries = options.entries
        ? ((await cli.call('ops', '/v1/state/entries', { query: { limit: '100000' } })) as {
            entries: {
              prefix?: string
              name?: string
              until: string
              provenance: { order: string; event: string }[]
            }[]
          })
        : null
      show(entries ? { ...state, entries: entries.entries } : state, () => {
        io.out(
          `revision ${state.revision}, ${state.enforced} prefixes enforced, ${state.live.length} live window(s), ${state.enforcedNames ?? 0} names enforced`,
        )
        for (const w of state.live)
          io.out(`  live ${w.event} (${w.competition}, ${w.week}) ${w.opensAt} → ${w.closesAt}`)
        for (const w of state.upcoming.slice(0, 5)) io.out(`  next ${w.event} opens ${w.opensAt}`)
        for (const e of entries?.entries ?? []) {
          io.out(
            `  ${e.prefix ?? e.name}\tuntil ${e.until}\t${e.provenance.map((p) => `${p.order}/${p.event}`).join(' ')}`,
          )
        }
      })
    })

  program
    .command('whoami')
    .description('show the organisation and role of the token in use')
    .action(async () => {
      const me = (await cli.call('authority', '/v1/whoami')) as { org: string; role: string }
      show(me, () => io.out(`${me.org} (${me.role})`))
    })

  registerAudit(program, cli)
  registerReports(program, cli)
  registerGuard(program, cli)
  registerComplaints(program, cli)
  registerOrders(program, cli)
  registerAgents(program, cli)

  program
    .command('completion')
    .description('print a bash completion script: source <(offside completion bash)')
    .argument('[shell]', 'bash (the only one)', 'bash')
    .action((shell: string) => {
      if (shell !== 'bash') throw new Error(`no completion for ${shell}; only bash`)
      io.out(bashCompletion(program).trimEnd())
    })

  return program
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const program = buildProgram(io)
  try {
    await program.parseAsync(argv, { from: 'user' })
    return 0
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'offside.audit') return 1
      return err.exitCode
    }
    if (err instanceof ApiError) {
      io.err(describeError(err))
      return 1
    }
    io.err(`error: ${(err as Error).message}`)
    return 1
  }
}
