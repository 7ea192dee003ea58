import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { isoWeekKey } from '@offside/core'
import t from 'tap'
import { runCli } from '../src/program.js'
import { ADMIN, EVIDENCE, setUp } from './helper.js'

t.test(
  'the CLI creates an org and a token, imports events, uploads a CSV list, shows state and verifies the audit',
  async (t) => {
    const { run, dir, apiUrl, publish } = await setUp(t)
    const admin = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }
    const org = await run(['org', 'create', 'sky-it', '--kind', 'rightsholder', '--name', 'Sky Italia'])
    t.equal(org.code, 0, `org create exits 0: ${org.err}`)
    t.match(org.out, /created rightsholder sky-it/, 'says what it created')
    const token = await run(['token', 'create', 'sky-it', '--role', 'rightsholder'])
    t.equal(token.code, 0, 'token create exits 0')
    const rightsholderToken = token.out.trim()
    t.match(rightsholderToken, /^ofs_/, 'prints the token alone on stdout')
    t.match(token.err, /not shown again/, 'and warns on stderr that it is shown once')

    t.equal(
      (await run(['whoami'], { OFFSIDE_TOKEN: rightsholderToken })).out.trim(),
      'sky-it (rightsholder)',
      'the new token works',
    )

    const now = Date.now()
    const kickoff = now - 60_000
    await writeFile(
      join(dir, 'events.json'),
      JSON.stringify({
        events: [
          {
            id: 'm1',
            competition: 'serie-a',
            kickoff: new Date(kickoff).toISOString(),
            end: new Date(now + 3600_000).toISOString(),
          },
        ],
      }),
    )
    const compRes = await fetch(`${apiUrl}/v1/competitions/serie-a`, {
      method: 'PUT',
      headers: admin,
      body: JSON.stringify({ name: 'Serie A', timeZone: 'Europe/Rome' }),
    })
    t.equal(compRes.status, 200, 'competition created over HTTP')
    const imported = await run(['events', 'import', 'events.json'])
    t.equal(imported.code, 0, `events import exits 0: ${imported.err}`)
    t.match(imported.out, /imported 1 events/, 'reports the count')

    const season =
      new Date(now).getUTCMonth() >= 6 ? new Date(now).getUTCFullYear() : new Date(now).getUTCFullYear() - 1
    await fetch(`${apiUrl}/v1/orders/o1`, {
      method: 'PUT',
      headers: admin,
      body: JSON.stringify({
        rightsholder: 'sky-it',
        competitions: ['serie-a'],
        season: `${season}-${String((season + 1) % 100).padStart(2, '0')}`,
        reference: 'R1',
      }),
    })
    const week = isoWeekKey(kickoff, 'Europe/Rome')
    await writeFile(join(dir, 'list.csv'), 'target,note\n203.0.113.7,mirror 1\n188.114.97.7,cdn\n')
    const upload = await run(['list', 'upload', 'sky-it', week, 'list.csv', '--evidence', EVIDENCE], {
      OFFSIDE_TOKEN: rightsholderToken,
    })
    t.equal(upload.code, 0, `list upload exits 0: ${upload.err}`)
    t.match(upload.out, /accepted 1, held 1, rejected 0/, 'prints the verdict counts')
    t.match(upload.out, /held\s+#1 188\.114\.97\.7: protected-range/, 'and each held entry with its reason')

    await publish()
    const state = await run(['state', '--entries'])
    t.match(
      state.out,
      /1 prefixes enforced, 1 live window/,
      'state shows the enforcement, counted in prefixes',
    )
    t.match(state.out, /203\.0\.113\.7\s+until .*o1\/m1/, 'with the entry, until and provenance')

    const verify = await run(['audit', 'verify'])
    t.equal(verify.code, 0, 'audit verify exits 0')
    t.match(verify.out, /audit chain ok: \d+ records/, 'the chain is ok')
  },
)

t.test('API errors are printed readably with the offending entry, and the exit code is 1', async (t) => {
  const { run, dir } = await setUp(t)
  await run(['org', 'create', 'sky-it', '--kind', 'rightsholder', '--name', 'Sky'])
  const token = (await run(['token', 'create', 'sky-it', '--role', 'rightsholder'])).out.trim()
  await writeFile(join(dir, 'bad.csv'), '203.0.113.7\n203.0.113.999\n')
  const bad = await run(['list', 'upload', 'sky-it', '2026-W48', 'bad.csv', '--evidence', EVIDENCE], {
    OFFSIDE_TOKEN: token,
  })
  t.equal(bad.code, 1, 'exits 1')
  t.match(
    bad.err,
    /^error 422 Unprocessable Content: entry 1: .*\(field entries\[1\]\.target, entry 1, reason /m,
    'names status, entry and reason',
  )
  const denied = await run(['org', 'create', 'x', '--kind', 'isp', '--name', 'x'], { OFFSIDE_TOKEN: token })
  t.match(denied.err, /error 403 Forbidden/, 'a refusal is printed as such')
  const missing = await run(['org', 'create', 'x', '--name', 'x'])
  t.equal(missing.code, 1, 'a missing required option exits 1')
  t.match(missing.err, /--kind/, 'and names the option')
  const unreachable = await run(['whoami'], { OFFSIDE_API_URL: 'http://127.0.0.1:9' })
  t.match(unreachable.err, /cannot reach http:\/\/127\.0\.0\.1:9/, 'an unreachable API is said plainly')
})

t.test('every command has help text', async (t) => {
  const { run } = await setUp(t)
  for (const command of [
    ['org', 'create'],
    ['org', 'list'],
    ['token', 'create'],
    ['token', 'revoke'],
    ['events', 'import'],
    ['list', 'upload'],
    ['list', 'add'],
    ['state'],
    ['audit', 'verify'],
    ['whoami'],
  ]) {
    const help = await run([...command, '--help'])
    t.equal(help.code, 0, `${command.join(' ')} --help exits 0`)
    t.match(help.out, /Usage: offside .+\n\n\S/, `${command.join(' ')} has a usage line and a description`)
  }
})

t.test('settings come from flags, then the environment, then .offside/demo.env', async (t) => {
  const { run, dir, apiUrl } = await setUp(t)
  await mkdir(join(dir, '.offside'))
  await writeFile(
    join(dir, '.offside', 'demo.env'),
    `OFFSIDE_API_URL=${apiUrl}\nOFFSIDE_ADMIN_TOKEN=${ADMIN}\n`,
  )
  let out = ''
  const code = await runCli(['whoami'], { env: {}, cwd: dir, out: (text) => (out += text), err: () => {} })
  t.equal(code, 0, 'works with nothing but the demo env file')
  t.equal(out, 'authority (authority)', 'using the demo admin token')
  const flagged = await run(['--token', 'ofs_wrong', 'whoami'])
  t.match(flagged.err, /error 401/, 'a --token flag wins over the environment')
})
