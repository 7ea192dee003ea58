// Spans the CLI's commands against a real API: a match day run by ops, ISPs and the public from the shell.
import { execFile } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { isoWeekKey } from '@offside/core'
import { agentConnected, recordBreakerTrip } from '@offside/store'
import t from 'tap'
import { runCli } from '../../src/program.js'
import { ADMIN, EVIDENCE, setUp, type Test } from '../helper.js'

const HOUR = 3600_000
const root = fileURLToPath(new URL('../../../..', import.meta.url))
const exec = promisify(execFile)

const seasonNow = () => {
  const now = new Date()
  const start = now.getUTCMonth() >= 6 ? now.getUTCFullYear() : now.getUTCFullYear() - 1
  return `${start}-${String((start + 1) % 100).padStart(2, '0')}`
}

/**
 * A real API over a real Redis, the demo's actors created with the CLI, and a `.offside/demo.env`
 * holding one token per role, as ./scripts/demo writes it. `demo(args)` runs the CLI with nothing
 * else set, so each command must pick the right token by itself.
 */
async function matchDay(t: Test) {
  const stack = await setUp(t)
  const { run, dir, apiUrl } = stack
  const tokens: Record<string, string> = {}
  for (const [id, kind] of [
    ['sky-it', 'rightsholder'],
    ['isp-a', 'isp'],
    ['ops-tf', 'ops'],
  ] as const) {
    await run(['org', 'create', id, '--kind', kind, '--name', id])
    tokens[kind] = (await run(['token', 'create', id, '--role', kind, '--label', 'demo'])).out.trim()
  }
  await mkdir(join(dir, '.offside'))
  await writeFile(
    join(dir, '.offside', 'demo.env'),
    [
      `OFFSIDE_API_URL=${apiUrl}`,
      `OFFSIDE_ADMIN_TOKEN=${ADMIN}`,
      `OFFSIDE_RIGHTSHOLDER_TOKEN=${tokens.rightsholder}`,
      `OFFSIDE_AGENT_TOKEN=${tokens.isp}`,
      `OFFSIDE_OPS_TOKEN=${tokens.ops}`,
      '',
    ].join('\n'),
  )
  const demo = async (args: string[]) => {
    let out = ''
    let err = ''
    const code = await runCli(args, {
      env: {},
      cwd: dir,
      out: (text) => {
        out += `${text}\n`
      },
      err: (text) => {
        err += `${text}\n`
      },
    })
    return { code, out, err }
  }
  const admin = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }
  await fetch(`${apiUrl}/v1/competitions/serie-a`, {
    method: 'PUT',
    headers: admin,
    body: JSON.stringify({ name: 'Serie A', timeZone: 'Europe/Rome', preMinutes: 0, postMinutes: 0 }),
  })
  const now = Date.now()
  await fetch(`${apiUrl}/v1/events/m1`, {
    method: 'PUT',
    headers: admin,
    body: JSON.stringify({
      competition: 'serie-a',
      kickoff: new Date(now - 60_000).toISOString(),
      end: new Date(now + HOUR).toISOString(),
    }),
  })
  return { ...stack, demo, tokens, week: isoWeekKey(now - 60_000, 'Europe/Rome') }
}

t.test('each command picks the demo token of the role it acts as', async (t) => {
  const { demo, week, dir } = await matchDay(t)
  const order = await demo(
    ['order', 'put', 'o1', '--rightsholder', 'sky-it', '--competition', 'serie-a'].concat([
      '--season',
      seasonNow(),
      '--reference',
      'R1/26',
    ]),
  )
  t.equal(order.code, 0, `order put as the authority: ${order.err}`)
  await writeFile(join(dir, 'list.csv'), 'target\n203.0.113.7\n188.114.97.7\n188.114.96.10\n')
  const upload = await demo(['list', 'upload', 'sky-it', week, 'list.csv', '--evidence', EVIDENCE])
  t.equal(upload.code, 0, `list upload as the rightsholder: ${upload.err}`)
  t.match(upload.out, /accepted 1, held 2/, 'two held as Cloudflare')
  t.equal(upload.err, '', 'no warning for this week under an order in force')
  const held = await demo(['held', 'list'])
  t.equal(held.code, 0, `held list as ops: ${held.err}`)
  t.match(held.out, /2 held entries pending/, 'both listed')
})

t.test('ops list, approve and reject held entries', async (t) => {
  const { demo, run, week, dir, tokens } = await matchDay(t)
  await demo([
    'order',
    'put',
    'o1',
    '--rightsholder',
    'sky-it',
    '--competition',
    'serie-a',
    '--season',
    seasonNow(),
    '--reference',
    'R1',
  ])
  await writeFile(join(dir, 'list.csv'), 'target\n188.114.97.7\n188.114.96.10\n')
  await demo(['list', 'upload', 'sky-it', week, 'list.csv', '--evidence', EVIDENCE])
  const listed = await demo(['--json', 'held', 'list'])
  const held = JSON.parse(listed.out).held as { id: string; target: string }[]
  t.equal(held.length, 2, 'two pending')
  const listedText = await demo(['held', 'list'])
  t.match(
    listedText.out,
    /188\.114\.97\.7\s+sky-it \S+\s+protected-range \(Cloudflare/,
    'with the range that holds it',
  )
  const approve = await demo(['held', 'approve', held[0]!.id, '--reason', 'checked: a dedicated server'])
  t.equal(approve.code, 0, `approve exits 0: ${approve.err}`)
  t.match(approve.out, new RegExp(`approved ${held[0]!.id}`), 'says approved')
  const reject = await demo(['held', 'reject', held[1]!.id, '--reason', 'Cloudflare front end'])
  t.match(reject.out, new RegExp(`rejected ${held[1]!.id}`), 'says rejected')
  t.match((await demo(['held', 'list'])).out, /^0 held entries pending/, 'none left')
  const again = await demo(['held', 'approve', held[1]!.id])
  t.equal(again.code, 1, 'a decided entry cannot be decided again')
  t.match(again.err, /error 409/, 'the conflict is printed')
  const asRightsholder = await run(['held', 'approve', held[1]!.id], { OFFSIDE_TOKEN: tokens.rightsholder! })
  t.match(asRightsholder.err, /error 403/, 'an explicit token still wins over the demo file')
})

t.test('ops see a circuit-breaker hold with its growth and approve it', async (t) => {
  const { demo, db } = await matchDay(t)
  t.match((await demo(['breaker', 'list'])).out, /no pending circuit-breaker hold/, 'none at first')
  const now = Date.now()
  const hold = await recordBreakerTrip(db, {
    now,
    cause: { kind: 'list-upload', requestedAt: now, rightsholder: 'sky-it' },
    previous: { v4Addresses: 2, v6Prefixes48: 0 },
    next: { v4Addresses: 256, v6Prefixes48: 0 },
    factor: 128,
    reason: { code: 'circuit-breaker', message: 'would grow enforcement from 2 to 256 IPv4 addresses' },
    proposal: {
      groups: [{ id: 'w:m1', event: 'm1', from: now, until: now + HOUR, prefixes: ['203.0.113.0/24'] }],
      added: ['203.0.113.0/24'],
    },
  })
  const listed = await demo(['breaker', 'list'])
  t.match(
    listed.out,
    new RegExp(`${hold.id}\\s+pending\\s+×128\\.0: 2 → 256 IPv4 addresses`),
    'factor and space',
  )
  t.match(listed.out, /cause list-upload/, 'and its cause')
  const approved = await demo(['breaker', 'approve', hold.id, '--reason', 'the league confirmed the /24'])
  t.equal(approved.code, 0, `approve exits 0: ${approved.err}`)
  t.match(approved.out, `approved circuit-breaker hold ${hold.id}`, 'says approved')
  t.match((await demo(['breaker', 'list', '--status', 'all'])).out, /approved/, 'kept on record')
})

t.test('a complaint is filed in public, listed, previewed and upheld; the look-up follows', async (t) => {
  const { demo, week, dir, publish } = await matchDay(t)
  await demo([
    'order',
    'put',
    'o1',
    '--rightsholder',
    'sky-it',
    '--competition',
    'serie-a',
    '--season',
    seasonNow(),
    '--reference',
    'R1',
  ])
  await writeFile(join(dir, 'list.csv'), 'target\n203.0.113.7\n203.0.113.8\n')
  await demo(['list', 'upload', 'sky-it', week, 'list.csv', '--evidence', EVIDENCE])
  await publish()
  const blocked = await demo(['lookup', '203.0.113.7'])
  t.match(
    blocked.out,
    /203\.0\.113\.7: blocked\n\s+203\.0\.113\.7 until \S+ under o1 \(R1\)/,
    'look-up: blocked, order, until',
  )
  const filed = await demo([
    'complaint',
    'file',
    '203.0.113.7',
    '--contact',
    'noc@hoster.example',
    '--reason',
    'our mail server',
  ])
  t.equal(filed.code, 0, `filed without any token: ${filed.err}`)
  const id = /filed complaint (\S+)/.exec(filed.out)?.[1] ?? ''
  t.match(
    (await demo(['complaint', 'list', '--status', 'open'])).out,
    new RegExp(`${id}\\s+open\\s+203\\.0\\.113\\.7`),
    'listed open',
  )
  const preview = await demo([
    'complaint',
    'decide',
    id,
    '--outcome',
    'revoke',
    '--reason',
    'shared',
    '--preview',
  ])
  t.match(preview.out, /revoke would lift 1 piece/, 'the preview says what it lifts')
  t.match((await demo(['complaint', 'list', '--status', 'open'])).out, id, 'and decides nothing')
  const decided = await demo(['complaint', 'decide', id, '--outcome', 'revoke', '--reason', 'shared hosting'])
  t.equal(decided.code, 0, `decided by the authority: ${decided.err}`)
  t.match(decided.out, new RegExp(`complaint ${id} upheld: 1 piece`), 'upheld')
  await publish()
  t.match((await demo(['lookup', '203.0.113.7'])).out, /203\.0\.113\.7: not blocked/, 'no longer blocked')
  t.match((await demo(['lookup', '203.0.113.8'])).out, /203\.0\.113\.8: blocked/, 'its neighbour still is')
})

t.test('the authority suspends and resumes an order', async (t) => {
  const { demo } = await matchDay(t)
  await demo([
    'order',
    'put',
    'o1',
    '--rightsholder',
    'sky-it',
    '--competition',
    'serie-a',
    '--season',
    seasonNow(),
    '--reference',
    'R1',
  ])
  t.match(
    (await demo(['order', 'suspend', 'o1', '--reason', 'appeal'])).out,
    /^o1\tSUSPENDED\tsky-it/,
    'suspended',
  )
  t.match((await demo(['order', 'list'])).out, /^o1\tSUSPENDED/m, 'listed suspended')
  t.match((await demo(['order', 'resume', 'o1'])).out, /^o1\tin force/, 'resumed')
  const missing = await demo(['order', 'suspend', 'nope'])
  t.equal(missing.code, 1, 'an unknown order exits 1')
  t.match(missing.err, /error 404/, 'naming it missing')
})

t.test('agents show their backend, dry-run flagged as not enforcing, and compliance per ISP', async (t) => {
  const { demo, db } = await matchDay(t)
  const base = { lastRevision: 0, gateway: 'gw', now: Date.now(), ttlMs: 60_000 }
  await agentConnected(db, {
    isp: 'isp-a',
    agentId: 'edge-1',
    capabilities: ['backend:nftables'],
    version: '0.1.0',
    ...base,
  })
  await agentConnected(db, { isp: 'isp-a', agentId: 'edge-2', capabilities: ['backend:dry-run'], ...base })
  const agents = await demo(['agents'])
  t.equal(agents.code, 0, `agents as ops: ${agents.err}`)
  t.match(
    agents.out,
    /isp-a\/edge-1\tconnected\trevision 0\tnftables\t0 prefixes enforced, 0 staged\tv0\.1\.0/,
    'nftables agent',
  )
  t.match(agents.out, /isp-a\/edge-2\tconnected\trevision 0\tdry-run \(NOT ENFORCING\)/, 'dry-run flagged')
  const compliance = await demo(['compliance'])
  t.match(compliance.out, /^ {2}isp-a\t1 agent\(s\)/m, 'one line per ISP, enforcing agents only')
  t.match(compliance.out, /not enforcing[^\n]*\n {2}isp-a\t1 agent\(s\)/, 'the dry-run agent apart')
  const csv = await demo(['compliance', '--format', 'csv'])
  t.match(csv.out, /^revision,kind,event,reference,isp,agentId,/, 'the CSV report with its header')
})

t.test('ops add and remove a protected range; covered entries leave enforcement at once', async (t) => {
  const { demo, week, dir } = await matchDay(t)
  await demo([
    'order',
    'put',
    'o1',
    '--rightsholder',
    'sky-it',
    '--competition',
    'serie-a',
    '--season',
    seasonNow(),
    '--reference',
    'R1',
  ])
  await writeFile(join(dir, 'list.csv'), 'target\n203.0.113.7\n198.51.100.7\n')
  await demo(['list', 'upload', 'sky-it', week, 'list.csv', '--evidence', EVIDENCE])
  const added = await demo(['protected', 'add', '203.0.113.0/28', '--name', 'Example hosting'])
  t.equal(added.code, 0, `add exits 0: ${added.err}`)
  t.match(
    added.out,
    /left enforcement, held for review: 203\.0\.113\.7 \(sky-it/,
    'the covered entry is named',
  )
  t.match((await demo(['protected', 'list'])).out, /203\.0\.113\.0\/28\tExample hosting/, 'listed')
  t.equal((await demo(['protected', 'remove', '203.0.113.0/28'])).code, 0, 'removed')
  t.notMatch((await demo(['protected', 'list'])).out, /Example hosting/, 'gone')
  const unknown = await demo(['protected', 'remove', '192.0.2.0/24'])
  t.match(unknown.err, /192\.0\.2\.0\/24 is not a protected range/, 'removing what is not there is said')
})

t.test('tokens are listed without their secret, and one can be revoked', async (t) => {
  const { demo, run, tokens } = await matchDay(t)
  const listed = await demo(['token', 'list', '--org', 'isp-a'])
  t.match(listed.out, /^tok_\S+\tisp-a\tisp\tactive/m, 'id, org, role, state')
  for (const secret of Object.values(tokens)) t.notMatch(listed.out, secret, 'no secret printed')
  const id = listed.out.split('\t')[0]!
  t.equal((await demo(['token', 'revoke', id])).code, 0, 'revoked')
  t.match((await demo(['token', 'list', '--org', 'isp-a'])).out, /\trevoked /, 'listed as revoked')
  t.match(
    (await run(['whoami'], { OFFSIDE_TOKEN: tokens.isp! })).err,
    /error 401/,
    'the token no longer works',
  )
})

t.test('an upload for a past week, or a season no order covers, warns before it is stored', async (t) => {
  const { demo, dir, week } = await matchDay(t)
  await writeFile(join(dir, 'list.csv'), 'target\n203.0.113.7\n')
  const noOrder = await demo(['list', 'upload', 'sky-it', week, 'list.csv', '--evidence', EVIDENCE])
  t.equal(noOrder.code, 0, 'still uploaded')
  t.match(
    noOrder.err,
    /warning: no order in force for sky-it covers season \S+ \(week/,
    'no order for the season',
  )
  await demo([
    'order',
    'put',
    'o1',
    '--rightsholder',
    'sky-it',
    '--competition',
    'serie-a',
    '--season',
    seasonNow(),
    '--reference',
    'R1',
  ])
  const past = isoWeekKey(Date.now() - 14 * 24 * HOUR, 'Europe/Rome')
  const old = await demo(['list', 'add', 'sky-it', past, '203.0.113.9', '--evidence', EVIDENCE])
  t.match(old.err, new RegExp(`warning: week ${past} ended on .*never enforced`), 'a past week')
  const current = await demo(['list', 'upload', 'sky-it', week, 'list.csv', '--evidence', EVIDENCE])
  t.equal(current.err, '', 'no warning for the current week under an order')
})

t.test('bash completion is generated from the commands and completes them', async (t) => {
  const { demo } = await matchDay(t)
  const script = (await demo(['completion', 'bash'])).out
  const complete = async (line: string) => {
    const words = line.split(' ')
    const { stdout } = await exec('bash', [
      '-c',
      `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _offside; echo "\${COMPREPLY[*]}"`,
    ])
    return stdout.trim().split(' ')
  }
  t.ok((await complete('offside h')).includes('held'), 'a top command')
  t.same(await complete('offside held ap'), ['approve'], 'a subcommand')
  t.ok(
    (await complete('offside complaint decide c_1 --o')).includes('--outcome'),
    'an option after an argument',
  )
})

t.test('output to a pipe that closed early ends quietly, with no stack trace', async (t) => {
  const { stderr } = await exec('bash', [
    '-c',
    `set -o pipefail; "${root}scripts/offside" completion bash | true`,
  ])
  t.equal(stderr, '', 'nothing on stderr, and exit 0 (exec did not throw)')
})
