import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { createProcessGroup } from '../src/process-group.js'

/** A node process that prints `name` and, on SIGTERM, how long after the start it was asked to stop. */
const script = (name: string) =>
  `process.stdout.write('${name} up\\n'); process.on('SIGTERM', () => { process.stdout.write('${name} stopped at ' + Date.now() + '\\n'); process.exit(0) }); setInterval(() => {}, 1000)`

t.test('a launcher hears of an exit it did not ask for, and of none once it is stopping', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'offside-group-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const exits: string[] = []
  const group = createProcessGroup({ onUnexpectedExit: (name, how) => exits.push(`${name}:${how}`) })
  t.teardown(() => group.stop())
  const crash = group.spawn('crash', process.execPath, ['-e', 'process.exit(3)'], {
    env: process.env,
    logFile: join(dir, 'crash.log'),
  })
  await new Promise((resolve) => crash.once('exit', resolve))
  t.same(exits, ['crash:3'], 'an exit while running is reported with its code')
  const quiet = group.spawn('quiet', process.execPath, ['-e', 'process.exit(0)'], {
    env: process.env,
    logFile: join(dir, 'quiet.log'),
    quietExit: true,
  })
  await new Promise((resolve) => quiet.once('exit', resolve))
  t.same(exits, ['crash:3'], 'an exit its supervisor expects is not')
  const service = group.spawn('service', process.execPath, ['-e', script('service')], {
    env: process.env,
    logFile: join(dir, 'service.log'),
  })
  await new Promise((resolve) => service.stdout?.once('data', resolve))
  group.beginStopping()
  service.kill('SIGINT')
  await new Promise((resolve) => service.once('exit', resolve))
  t.same(exits, ['crash:3'], 'an exit after stopping began (Ctrl-C reached it first) is not reported')
  t.ok(group.isStopping(), 'the group says it is stopping, so a supervisor restarts nothing')
})

t.test('stopping the group stops every process, the stop-last ones after all the others', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'offside-group-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const group = createProcessGroup()
  const logOf = (name: string) => join(dir, `${name}.log`)
  const started = [
    group.spawn('redis', process.execPath, ['-e', script('redis')], {
      env: process.env,
      logFile: logOf('redis'),
      stopLast: true,
    }),
    group.spawn('api', process.execPath, ['-e', script('api')], { env: process.env, logFile: logOf('api') }),
    group.spawn('gateway', process.execPath, ['-e', script('gateway')], {
      env: process.env,
      logFile: logOf('gateway'),
    }),
  ]
  await Promise.all(started.map((child) => new Promise((resolve) => child.stdout?.once('data', resolve))))
  await group.stop()
  t.ok(
    started.every((child) => child.exitCode !== null || child.signalCode !== null),
    'every process has exited',
  )
  const stoppedAt = async (name: string) =>
    Number(/stopped at (\d+)/.exec(await readFile(logOf(name), 'utf8'))?.[1])
  const [redis, api, gateway] = await Promise.all(['redis', 'api', 'gateway'].map(stoppedAt))
  t.ok(redis! >= api! && redis! >= gateway!, 'Redis was asked to stop only once the services had exited')
  t.match(await readFile(logOf('api'), 'utf8'), /api up/, "each process's output is in its log file")
})
