import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import type { OrgKind } from '@offside/core'

/** Where the CLI talks to and as whom. */
export interface Settings {
  apiUrl: string
  token: string | undefined
}

/** Reads KEY=value lines (the demo's .offside/demo.env); blank lines and # comments are skipped. */
export function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const trimmed = line.trim()
    if (!trimmed || trimmed.startsWith('#')) continue
    const equals = trimmed.indexOf('=')
    if (equals > 0) values[trimmed.slice(0, equals).trim()] = trimmed.slice(equals + 1).trim()
  }
  return values
}

/** The nearest .offside/demo.env from `cwd` upwards, if any. */
export function findDemoEnv(cwd: string): Record<string, string> {
  let dir = resolve(cwd)
  for (;;) {
    const file = join(dir, '.offside', 'demo.env')
    if (existsSync(file)) return parseEnvFile(readFileSync(file, 'utf8'))
    const parent = dirname(dir)
    if (parent === dir) return {}
    dir = parent
  }
}

/** The role a command acts as: which of the demo's tokens fits it. `public` needs none. */
export type Role = OrgKind | 'public'

/** The variable of .offside/demo.env holding the demo's token for each role. */
export const DEMO_TOKEN_OF: Record<Exclude<Role, 'public'>, string> = {
  authority: 'OFFSIDE_ADMIN_TOKEN',
  rightsholder: 'OFFSIDE_RIGHTSHOLDER_TOKEN',
  isp: 'OFFSIDE_AGENT_TOKEN',
  ops: 'OFFSIDE_OPS_TOKEN',
}

/**
 * Flags win over the environment, which wins over .offside/demo.env (so `./scripts/offside …`
 * works against a running demo with nothing set). From the demo file, each command gets the
 * token of the role it acts as (`held approve` the ops token, `list upload` the rightsholder's,
 * `complaint decide` the authority's), falling back to the admin token.
 */
export function resolveSettings(
  flags: { api?: string; token?: string },
  env: Record<string, string | undefined>,
  cwd: string,
  role: Role = 'authority',
): Settings {
  const demo = findDemoEnv(cwd)
  const demoToken = role === 'public' ? undefined : (demo[DEMO_TOKEN_OF[role]] ?? demo.OFFSIDE_ADMIN_TOKEN)
  return {
    apiUrl: (flags.api ?? env.OFFSIDE_API_URL ?? demo.OFFSIDE_API_URL ?? 'http://127.0.0.1:8080').replace(
      /\/+$/,
      '',
    ),
    token: role === 'public' ? undefined : (flags.token ?? env.OFFSIDE_TOKEN ?? demoToken),
  }
}
