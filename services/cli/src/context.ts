import type { Command } from 'commander'
import { type RequestOptions, request } from './client.js'
import { type Role, resolveSettings } from './settings.js'

/** Where the CLI writes, and what it reads; tests pass their own. */
export interface CliIo {
  env: Record<string, string | undefined>
  cwd: string
  out(text: string): void
  err(text: string): void
}

/** What every command module gets: the output, the API as a role, and the --json switch. */
export interface Cli {
  io: CliIo
  /** Calls the API with the token for `role` (flag, then $OFFSIDE_TOKEN, then the demo's token for it). */
  call(role: Role, path: string, options?: RequestOptions): Promise<unknown>
  /** Prints `value` as JSON with --json, else runs `human`. */
  show(value: unknown, human: () => void): void
  warn(text: string): void
}

export function cliContext(program: Command, io: CliIo): Cli {
  return {
    io,
    call: (role, path, options) =>
      request(resolveSettings(program.opts(), io.env, io.cwd, role), path, options ?? {}),
    show: (value, human) => (program.opts().json ? io.out(JSON.stringify(value, null, 2)) : human()),
    warn: (text) => io.err(`warning: ${text}`),
  }
}

export const path = (...parts: string[]) => parts.map((part) => `/${encodeURIComponent(part)}`).join('')

/**
 * `<action> <id> [--reason]` under `parent` for each action (approve/reject, suspend/resume): a POST
 * to `<resource>/<id>/<action>` as `role`, the reason going to the audit log; `done` prints the answer.
 */
export function decisionCommands<A extends string, T>(
  parent: Command,
  cli: Cli,
  decision: { role: Role; resource: string; actions: Record<A, string>; done: (answer: T) => string },
): void {
  for (const [action, description] of Object.entries<string>(decision.actions)) {
    parent
      .command(`${action} <id>`)
      .description(description)
      .option('--reason <text>', 'why (kept in the audit log)')
      .action(async (id: string, options: { reason?: string }) => {
        const answer = (await cli.call(decision.role, `${decision.resource}${path(id)}/${action}`, {
          method: 'POST',
          body: options.reason ? { reason: options.reason } : {},
        })) as T
        cli.show(answer, () => cli.io.out(decision.done(answer)))
      })
  }
}

/**
 * Completes a review queue's `list` subcommand (`command`, already given its description and its
 * one filter option `filter`): adds `--limit`, reads the page `{ total, <key>: […] }` from
 * `resource` as `role`, and prints `heading` then one `line` per item.
 */
export function listCommand<T>(
  command: Command,
  cli: Cli,
  list: {
    role: Role
    resource: string
    filter: string
    key: string
    heading: (total: number, filter: string | undefined) => string
    line: (item: T) => string
  },
): void {
  command
    .option('--limit <n>', 'at most this many', '100')
    .action(async (options: Record<string, string | undefined>) => {
      const filter = options[list.filter]
      const page = (await cli.call(list.role, list.resource, {
        query: { [list.filter]: filter, limit: options.limit },
      })) as { total: number } & Record<string, T[]>
      cli.show(page, () => {
        cli.io.out(list.heading(page.total, filter))
        for (const item of page[list.key] ?? []) cli.io.out(list.line(item))
      })
    })
}
