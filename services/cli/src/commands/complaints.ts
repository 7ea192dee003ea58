import { type Command, Option } from 'commander'
import { type Cli, listCommand, path } from '../context.js'

interface Complaint {
  id: string
  target: string
  contact: string
  reason: string
  filedAt: string
  status: string
  decision?: { outcome: string; reason: string; prefixes?: string[]; order?: string }
}

interface Lifts {
  liftsTotal: number
  lifts: { prefix: string; entry: string; until: string; orders: string[]; stillBlockedBy: string[] }[]
}

/** `complaint …`: third parties file, the authority decides (SPEC rule 7); `lookup`: the public look-up. */
export function registerComplaints(program: Command, cli: Cli): void {
  const complaint = program.command('complaint').description('complaints against a block (SPEC rule 7)')
  listCommand(
    complaint
      .command('list')
      .description('complaints, newest first (authority, ops)')
      .addOption(new Option('--status <status>', 'only these').choices(['open', 'upheld', 'rejected'])),
    cli,
    {
      role: 'authority',
      resource: '/v1/complaints',
      filter: 'status',
      key: 'complaints',
      heading: (total, status) => `${total} complaint(s)${status ? ` ${status}` : ''}`,
      line: (c: Complaint) => `  ${c.id}\t${c.status}\t${c.target}\t${c.filedAt}\t${c.contact}: ${c.reason}`,
    },
  )
  complaint
    .command('file <target>')
    .description(
      'file a complaint (public, free, no account): one address, or a prefix within the soft limit',
    )
    .requiredOption('--contact <email>', 'how the authority reaches you')
    .requiredOption('--reason <text>', 'which lawful service the block hurts')
    .action(async (target: string, options: { contact: string; reason: string }) => {
      const filed = (await cli.call('public', '/v1/complaints', {
        method: 'POST',
        body: { target, contact: options.contact, reason: options.reason },
      })) as { id: string; status: string }
      cli.show(filed, () => cli.io.out(`filed complaint ${filed.id} (${filed.status})`))
    })
  complaint
    .command('decide <id>')
    .description('decide an open complaint (authority): revoke, suspend the order, or reject')
    .addOption(
      new Option('--outcome <outcome>', 'what to do')
        .choices(['revoke', 'suspend-order', 'reject'])
        .makeOptionMandatory(),
    )
    .requiredOption('--reason <text>', 'why (kept in the audit log and told to the complainant)')
    .option('--prefix <prefix...>', 'revoke: these prefixes (default: the complained-about target)')
    .option('--order <id>', 'revoke: only from this order; suspend-order: the order to suspend')
    .option('--preview', 'show what the decision would lift, and decide nothing')
    .action(
      async (
        id: string,
        options: { outcome: string; reason: string; prefix?: string[]; order?: string; preview?: boolean },
      ) => {
        const body = {
          outcome: options.outcome,
          reason: options.reason,
          ...(options.prefix ? { prefixes: options.prefix } : {}),
          ...(options.order ? { order: options.order } : {}),
        }
        const step = options.preview ? 'preview' : 'decision'
        const result = (await cli.call('authority', `/v1/complaints${path(id)}/${step}`, {
          method: 'POST',
          body,
        })) as Lifts & { status?: string }
        cli.show(result, () => {
          cli.io.out(
            options.preview
              ? `${options.outcome} would lift ${result.liftsTotal} piece(s) of enforcement`
              : `complaint ${id} ${result.status}: ${result.liftsTotal} piece(s) of enforcement lifted`,
          )
          for (const lift of result.lifts) {
            const kept = lift.stillBlockedBy.length
              ? `, still blocked by ${lift.stillBlockedBy.join(' ')}`
              : ''
            cli.io.out(`  ${lift.prefix} (from entry ${lift.entry}, orders ${lift.orders.join(' ')}${kept})`)
          }
        })
      },
    )

  program
    .command('lookup <address>')
    .description('the public look-up: is this one address blocked now, under which order, until when')
    .action(async (address: string) => {
      const result = (await cli.call('public', '/v1/public/lookup', { query: { target: address } })) as {
        target: string
        blocked: boolean
        /** `prefix` for an address, `name` for a name (itself or a wildcard above it). */
        matches: {
          prefix?: string
          name?: string
          until: string
          orders: { id: string; reference: string }[]
        }[]
      }
      cli.show(result, () => {
        cli.io.out(`${result.target}: ${result.blocked ? 'blocked' : 'not blocked'}`)
        for (const m of result.matches)
          cli.io.out(
            `  ${m.prefix ?? m.name} until ${m.until} under ${m.orders.map((o) => `${o.id} (${o.reference})`).join(', ')}`,
          )
        if (result.blocked)
          cli.io.out(`complain: offside complaint file ${result.target} --contact … --reason …`)
      })
    })
}
