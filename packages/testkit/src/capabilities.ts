import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { netnsAvailable } from './netns.js'

const run = promisify(execFile)

/**
 * Whether a missing capability must fail the run instead of skipping the test: always in CI
 * (`CI=true`, as every CI service sets it) and whenever asked (`OFFSIDE_REQUIRE_ROOT=1`). A kernel
 * or BGP proof that quietly turns into a skip would leave the run green while proving nothing.
 */
export function capabilitiesRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI === 'true' || env.CI === '1' || env.OFFSIDE_REQUIRE_ROOT === '1'
}

interface PlanOrFail {
  plan(n: number, comment?: string): void
  fail(message: string): void
}

async function commandExists(command: string): Promise<boolean> {
  try {
    await run('sh', ['-c', `command -v ${command}`])
    return true
  } catch {
    return false
  }
}

/**
 * Says whether this file's kernel tests can run: root, `ip` for network namespaces, and every
 * command in `commands` (e.g. `nft`, `gobgpd`). When something is missing, the file is skipped
 * with the reason — or, when {@link capabilitiesRequired}, fails with it.
 */
export async function kernelLabAvailable(
  t: PlanOrFail,
  commands: string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): Promise<boolean> {
  const missing: string[] = []
  if (!(await netnsAvailable())) missing.push('root and iproute2 to create network namespaces')
  for (const command of commands) if (!(await commandExists(command))) missing.push(`the ${command} command`)
  if (missing.length === 0) return true
  const why = `needs ${missing.join(', ')}`
  if (capabilitiesRequired(env)) {
    t.fail(`${why}; CI=true or OFFSIDE_REQUIRE_ROOT=1 makes a missing capability fail the run`)
  } else {
    t.plan(0, why)
  }
  return false
}
