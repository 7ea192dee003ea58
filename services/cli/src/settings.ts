import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'

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

/**
 * Flags win over the environment, which wins over .offside/demo.env (so `./scripts/offside …`
 * works against a running demo with nothing set; the demo's token is the authority's).
 */
export function resolveSettings(
  flags: { api?: string; token?: string },
  env: Record<string, string | undefined>,
  cwd: string,
): Settings {
  const demo = findDemoEnv(cwd)
  return {
    apiUrl: (flags.api ?? env.OFFSIDE_API_URL ?? demo.OFFSIDE_API_URL ?? 'http://127.0.0.1:8080').replace(
      /\/+$/,
      '',
    ),
    token: flags.token ?? env.OFFSIDE_TOKEN ?? demo.OFFSIDE_ADMIN_TOKEN,
  }
}
