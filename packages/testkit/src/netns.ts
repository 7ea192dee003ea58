import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { promisify } from 'node:util'
import { stopChild, untilPrinted } from './child.js'

const run = promisify(execFile)

/** Anything with tap's `teardown`, so helpers clean up after the test that made them. */
interface Teardown {
  teardown(fn: () => unknown): void
}

/**
 * A network namespace created for one test. Everything a test programs (addresses, routes,
 * nftables, BGP) happens inside such namespaces, never in the machine's own.
 */
export interface TestNetns {
  /** The namespace's name, as `ip netns` knows it (unique per test). */
  readonly name: string
  /** Runs a command inside the namespace and returns its output; rejects on a non-zero exit. */
  exec(command: string, args?: string[], input?: string): Promise<{ stdout: string; stderr: string }>
  /** Starts a long-running process inside the namespace; it is killed when the namespace goes. */
  spawn(
    command: string,
    args?: string[],
    options?: { env?: NodeJS.ProcessEnv; stdin?: 'ignore' | 'pipe'; cwd?: string },
  ): ChildProcess
  /** Kills what `spawn` started and deletes the namespace (and with it its veth ends). */
  remove(): Promise<void>
}

/** True when this process may create network namespaces (root, and `ip` is installed). */
export async function netnsAvailable(): Promise<boolean> {
  if (process.getuid?.() !== 0) return false
  try {
    await run('ip', ['netns', 'list'])
    return true
  } catch {
    return false
  }
}

function uniqueSuffix(): string {
  return `${process.pid.toString(36)}${randomBytes(3).toString('hex')}`
}

/**
 * Creates a network namespace with its loopback up, named `<label>-<unique>`; deleted at the
 * test's teardown even when the test fails.
 */
export async function createNetns(t: Teardown, label = 'offside'): Promise<TestNetns> {
  const name = `${label}-${uniqueSuffix()}`
  await run('ip', ['netns', 'add', name])
  const children = new Set<ChildProcess>()
  let removed = false

  const exec = async (command: string, args: string[] = [], input?: string) => {
    const child = execFile('ip', ['netns', 'exec', name, command, ...args], { maxBuffer: 256 * 1024 * 1024 })
    const output = new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      let stdout = ''
      let stderr = ''
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString()
      })
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString()
      })
      child.on('error', reject)
      child.on('close', (code) => {
        if (code === 0) resolve({ stdout, stderr })
        else
          reject(new Error(`${command} ${args.join(' ')} in ${name} exited with ${code}: ${stderr.trim()}`))
      })
    })
    // A command that reads no input may exit before we finish writing: its exit code tells.
    child.stdin?.on('error', () => undefined)
    child.stdin?.end(input ?? '')
    return output
  }

  const netns: TestNetns = {
    name,
    exec,
    spawn(command, args = [], options = {}) {
      const child = spawn('ip', ['netns', 'exec', name, command, ...args], {
        stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
        env: options.env ?? process.env,
        cwd: options.cwd,
      })
      children.add(child)
      child.once('exit', () => children.delete(child))
      return child
    },
    async remove() {
      if (removed) return
      removed = true
      await Promise.all([...children].map((child) => stopChild(child, 2_000)))
      await deleteNetns(name)
    },
  }
  t.teardown(() => netns.remove())
  await exec('ip', ['link', 'set', 'lo', 'up'])
  return netns
}

/**
 * Deletes a namespace. `ip netns del` fails with EBUSY while a process that was inside it is
 * still exiting (its `ip netns exec` parent may be gone already), so it is retried briefly; a
 * namespace that cannot be removed is reported, never left behind silently.
 */
export async function deleteNetns(name: string, attempts = 20): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await run('ip', ['netns', 'del', name])
      return
    } catch (err) {
      const { stdout } = await run('ip', ['netns', 'list'])
      if (!stdout.split('\n').some((line) => line.split(' ')[0] === name)) return
      if (attempt >= attempts) throw err
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt))
    }
  }
}

/**
 * Joins two namespaces with a veth pair and gives each end its addresses (CIDR notation, e.g.
 * `192.0.2.1/24`, `2001:db8:1::1/64`). IPv6 addresses skip duplicate address detection so they
 * work at once.
 */
export async function connectNetns(
  a: TestNetns,
  b: TestNetns,
  addresses: { a: string[]; b: string[] },
): Promise<{ aInterface: string; bInterface: string }> {
  const suffix = randomBytes(4).toString('hex')
  // Interface names are limited to 15 characters; both ends are created in `a` and one is moved.
  const aInterface = `va${suffix}`
  const bInterface = `vb${suffix}`
  await a.exec('ip', ['link', 'add', aInterface, 'type', 'veth', 'peer', 'name', bInterface])
  await a.exec('ip', ['link', 'set', bInterface, 'netns', b.name])
  for (const [ns, iface, list] of [
    [a, aInterface, addresses.a],
    [b, bInterface, addresses.b],
  ] as const) {
    for (const address of list) {
      const extra = address.includes(':') ? ['nodad'] : []
      await ns.exec('ip', ['addr', 'add', address, 'dev', iface, ...extra])
    }
    await ns.exec('ip', ['link', 'set', iface, 'up'])
  }
  return { aInterface, bInterface }
}

const listenerScript = `
const net = require('node:net')
const [host, port] = [process.argv[1], Number(process.argv[2])]
const server = net.createServer((socket) => { socket.end('ok\\n') })
server.listen(port, host, () => console.log('listening'))
`

/**
 * Starts a TCP server inside `ns` on `host:port` that answers "ok" and closes; resolves once it
 * listens. Stopped with the namespace.
 */
export async function startTcpListener(ns: TestNetns, host: string, port: number): Promise<void> {
  const child = ns.spawn(process.execPath, ['-e', listenerScript, host, String(port)])
  await untilPrinted(child, 'listening', `listener on ${host}:${port}`)
}

const connectScript = `
const net = require('node:net')
const [host, port, timeout] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])]
const startedAt = Date.now()
const done = (outcome) => console.log(JSON.stringify({ outcome, startedAt, endedAt: Date.now() }))
const socket = net.connect({ host, port, timeout })
socket.once('data', () => { done('connected'); socket.destroy() })
socket.once('timeout', () => { done('timeout'); socket.destroy() })
socket.once('error', (err) => { done(err.code ?? 'error') })
`

/** One TCP attempt and when it ran (this machine's clock): what a window's edges are checked with. */
export interface TcpProbe {
  /** `'connected'` or why not (`'timeout'`, `'ECONNREFUSED'`, `'EPERM'`, …). */
  outcome: string
  /** When the connection attempt started, after the probe process itself had started. */
  startedAt: number
  /** When it connected or gave up. */
  endedAt: number
}

/**
 * Like {@link tcpConnect}, with the instants the attempt started and ended: spawning a process in
 * a namespace takes a while on a loaded machine, so a probe meant for a window's last seconds
 * must say when it really ran.
 */
export async function tcpProbe(
  ns: TestNetns,
  host: string,
  port: number,
  timeoutMs = 1_500,
): Promise<TcpProbe> {
  const { stdout } = await ns.exec(process.execPath, [
    '-e',
    connectScript,
    host,
    String(port),
    String(timeoutMs),
  ])
  try {
    return JSON.parse(stdout.trim()) as TcpProbe
  } catch {
    return { outcome: 'no-answer', startedAt: Number.NaN, endedAt: Number.NaN }
  }
}

/**
 * Opens a TCP connection from inside `ns` to `host:port` and waits for the server's greeting.
 * Resolves `'connected'`, or why it failed (`'timeout'`, `'ECONNREFUSED'`, `'EPERM'`, …).
 */
export async function tcpConnect(
  ns: TestNetns,
  host: string,
  port: number,
  timeoutMs = 1_500,
): Promise<string> {
  return (await tcpProbe(ns, host, port, timeoutMs)).outcome
}

const proberScript = `
const net = require('node:net')
const readline = require('node:readline')
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const { id, host, port, timeout } = JSON.parse(line)
  const startedAt = Date.now()
  let answered = false
  const done = (outcome) => {
    if (answered) return
    answered = true
    console.log(JSON.stringify({ id, outcome, startedAt, endedAt: Date.now() }))
  }
  const socket = net.connect({ host, port, timeout })
  socket.once('data', () => { done('connected'); socket.destroy() })
  socket.once('timeout', () => { done('timeout'); socket.destroy() })
  socket.once('error', (err) => done(err.code ?? 'error'))
})
console.log(JSON.stringify({ ready: true }))
`

/** A process kept running inside a namespace that opens TCP connections on request, at once. */
export interface TcpProber {
  probe(host: string, port: number, timeoutMs?: number): Promise<TcpProbe>
}

/**
 * Starts a prober inside `ns`. Unlike {@link tcpProbe}, which spawns a process per attempt (seconds
 * on a loaded machine), its attempts start when asked: what probing a window's last second needs.
 * Stopped with the namespace.
 */
export async function startTcpProber(ns: TestNetns): Promise<TcpProber> {
  const child = ns.spawn(process.execPath, ['-e', proberScript], { stdin: 'pipe' })
  const waiting = new Map<number, (probe: TcpProbe) => void>()
  let buffered = ''
  let ready: () => void = () => undefined
  const started = new Promise<void>((resolve) => {
    ready = resolve
  })
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString()
    for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
      const message = JSON.parse(buffered.slice(0, end)) as TcpProbe & { id?: number; ready?: boolean }
      buffered = buffered.slice(end + 1)
      if (message.ready) ready()
      else if (message.id !== undefined) {
        waiting.get(message.id)?.({
          outcome: message.outcome,
          startedAt: message.startedAt,
          endedAt: message.endedAt,
        })
        waiting.delete(message.id)
      }
    }
  })
  child.stdin?.on('error', () => undefined)
  const timer = setTimeout(() => ready(), 20_000)
  await started
  clearTimeout(timer)
  let next = 0
  return {
    probe(host, port, timeoutMs = 1_500) {
      const id = next++
      return new Promise<TcpProbe>((resolve, reject) => {
        const guard = setTimeout(() => {
          waiting.delete(id)
          reject(new Error(`prober in ${ns.name} did not answer for ${host}:${port}`))
        }, timeoutMs + 10_000)
        waiting.set(id, (probe) => {
          clearTimeout(guard)
          resolve(probe)
        })
        child.stdin?.write(`${JSON.stringify({ id, host, port, timeout: timeoutMs })}\n`)
      })
    },
  }
}
