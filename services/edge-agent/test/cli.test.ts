import { execFile, spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { generateSigningKeyPair } from '@offside/protocol'
import { freePort } from '@offside/testkit'
import t from 'tap'
import { AGENT_VERSION } from '../src/version.js'
import { startFakeGateway, until } from './fixtures/fake-gateway.js'

const agentScript = fileURLToPath(new URL('../../../scripts/agent', import.meta.url))
const run = promisify(execFile)

/** Runs `./scripts/agent` with `args` and returns its exit status and output. */
async function agentExit(args: string[]) {
  return run(agentScript, args, { timeout: 30_000 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => err,
  )
}

t.test('offside-agent --version prints its version and exits 0', async (t) => {
  const { code, stdout } = await agentExit(['--version'])
  t.equal(code, 0, 'exit 0')
  t.equal(stdout.trim(), `offside-agent ${AGENT_VERSION}`, 'the version')
})

t.test('an agent started without a backend exits 2 naming --backend', async (t) => {
  const args = ['--gateway', 'ws://127.0.0.1:9', '--token', 'ofs_x', '--agent-id', 'e1', '--public-key', '/k']
  const { code, stderr } = await agentExit(args)
  t.equal(code, 2, 'exit 2: configuration')
  t.match(stderr, /--backend is required/, 'names the missing setting')
})

t.test('a bad backend setting in the config file exits 2 naming the setting', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'offside-agent-cli-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const key = join(dir, 'key.pem')
  await writeFile(key, generateSigningKeyPair().publicKeyPem)
  const config = join(dir, 'agent.json')
  await writeFile(config, JSON.stringify({ backend: 'nftables', nftables: { verdikt: 'drop' } }))
  const { code, stderr } = await agentExit([
    ...['--gateway', 'ws://127.0.0.1:9', '--token', 'ofs_x', '--agent-id', 'e1'],
    ...['--public-key', key, '--config', config, '--state-dir', dir],
  ])
  t.equal(code, 2, 'exit 2: configuration')
  t.match(stderr, /nftables setting verdikt is not valid/, 'names the setting')
  t.notMatch(stderr, /\n\s+at /, 'no stack trace')
})

t.test('a running agent whose token is refused says so once and its /readyz names the token', async (t) => {
  const gw = await startFakeGateway(t, { refuseWith: 401 })
  const dir = await mkdtemp(join(tmpdir(), 'offside-agent-cli-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const key = join(dir, 'key.pem')
  await writeFile(key, generateSigningKeyPair().publicKeyPem)
  const port = await freePort()
  const child = spawn(
    agentScript,
    [
      ...['--gateway', gw.url, '--token', 'ofs_revoked', '--agent-id', 'e1', '--backend', 'dry-run'],
      ...['--public-key', key, '--state-dir', dir, '--metrics-port', String(port)],
      ...['--reconnect-max-ms', '50'],
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let output = ''
  child.stdout.on('data', (chunk) => {
    output += chunk
  })
  child.stderr.on('data', (chunk) => {
    output += chunk
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  t.teardown(() => {
    child.kill('SIGKILL')
  })
  await until(() => gw.upgrades.length >= 4, 'four connection attempts', 30_000)
  const res = await fetch(`http://127.0.0.1:${port}/readyz`)
  t.equal(res.status, 503, '/readyz is 503')
  t.match(
    ((await res.json()) as { problems: string[] }).problems,
    [/refused this agent's token \(HTTP 401\)/],
    'and names the token',
  )
  t.equal(output.match(/refused this agent's token/g)?.length, 1, 'the log says it once')
  t.notMatch(output, /"stack"/, 'no stack trace in the log')
  child.kill('SIGTERM')
  t.equal(await exited, 0, 'SIGTERM stops it with exit 0')
})
