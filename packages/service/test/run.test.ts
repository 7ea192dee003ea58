import { spawn } from 'node:child_process'
import { join } from 'node:path'
import t from 'tap'

const fixture = join(import.meta.dirname, 'fixtures/service.ts')

/** Runs the fixture service; `signal` is sent once it prints its port. */
function run(mode: string, signal?: NodeJS.Signals) {
  const child = spawn(process.execPath, [...process.execArgv, fixture], {
    env: { ...process.env, FIXTURE_MODE: mode },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (chunk) => {
    stderr += chunk
  })
  child.stdout.once('data', () => {
    if (signal) child.kill(signal)
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
  return new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stderr })
    }),
  )
}

t.test('a refused configuration exits 2 and names the variable on stderr', async (t) => {
  const { code, stderr } = await run('config')
  t.equal(code, 2, 'status 2')
  t.match(stderr, /offside fixture: OFFSIDE_FIXTURE_NEEDED is required/, 'the variable named')
})

t.test('a service that cannot start exits 1', async (t) => {
  const { code, stderr } = await run('broken')
  t.equal(code, 1, 'status 1')
  t.match(stderr, /cannot reach something/, 'the reason said')
})

t.test('SIGTERM closes the service and exits 0', async (t) => {
  t.equal((await run('ok', 'SIGTERM')).code, 0, 'status 0 after SIGTERM')
  t.equal((await run('ok', 'SIGINT')).code, 0, 'status 0 after SIGINT')
})

t.test('a close that outlasts its delay is cut short with status 1', async (t) => {
  t.equal((await run('slow-close', 'SIGTERM')).code, 1, 'status 1')
})
