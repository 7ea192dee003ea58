import { orgKinds } from '@offside/core'
import { type Command, Option } from 'commander'
import type { Cli } from '../context.js'

/** `org …` and `token …`: organisations and their bearer tokens (authority only). */
export function registerIdentity(program: Command, cli: Cli): void {
  const org = program.command('org').description('organisations (authority only)')
  org
    .command('create <id>')
    .description('create an organisation: the authority, a rightsholder, an ISP or the ops task force')
    .addOption(
      new Option('--kind <kind>', 'what the organisation is').choices(orgKinds).makeOptionMandatory(),
    )
    .requiredOption('--name <name>', 'display name')
    .action(async (id: string, options: { kind: string; name: string }) => {
      const created = await cli.call('authority', '/v1/orgs', {
        method: 'POST',
        body: { id, kind: options.kind, name: options.name },
      })
      cli.show(created, () => cli.io.out(`created ${options.kind} ${id}`))
    })
  org
    .command('list')
    .description('list organisations')
    .action(async () => {
      const result = (await cli.call('authority', '/v1/orgs')) as {
        orgs: { id: string; kind: string; name: string }[]
      }
      cli.show(result, () => {
        for (const o of result.orgs) cli.io.out(`${o.id}\t${o.kind}\t${o.name}`)
      })
    })

  const token = program.command('token').description('bearer tokens (authority only)')
  token
    .command('create <org>')
    .description('issue a token for an organisation; it is printed once, only its hash is stored')
    .addOption(
      new Option('--role <role>', "the token's role (must be the organisation's kind)")
        .choices(orgKinds)
        .makeOptionMandatory(),
    )
    .option('--label <label>', 'a note saying what the token is for')
    .action(async (orgId: string, options: { role: string; label?: string }) => {
      const issued = (await cli.call('authority', '/v1/tokens', {
        method: 'POST',
        body: { org: orgId, role: options.role, ...(options.label ? { label: options.label } : {}) },
      })) as { id: string; token: string }
      cli.show(issued, () => {
        cli.io.out(issued.token)
        cli.io.err(`token ${issued.id} for ${orgId} (${options.role}); store it now, it is not shown again`)
      })
    })
  token
    .command('revoke <id>')
    .description('revoke a token at once')
    .action(async (id: string) => {
      const revoked = await cli.call('authority', `/v1/tokens/${encodeURIComponent(id)}`, {
        method: 'DELETE',
      })
      cli.show(revoked, () => cli.io.out(`revoked ${id}`))
    })
  token
    .command('list')
    .description('list tokens: id, organisation, role, label, when issued and revoked (never the secret)')
    .option('--org <id>', 'only this organisation')
    .action(async (options: { org?: string }) => {
      const result = (await cli.call('authority', '/v1/tokens', { query: { org: options.org } })) as {
        tokens: {
          id: string
          org: string
          role: string
          label?: string
          createdAt: string
          revokedAt?: string
        }[]
      }
      cli.show(result, () => {
        for (const t of result.tokens)
          cli.io.out(
            `${t.id}\t${t.org}\t${t.role}\t${t.revokedAt ? `revoked ${t.revokedAt}` : 'active'}\t${t.createdAt}${t.label ? `\t${t.label}` : ''}`,
          )
      })
    })
}
