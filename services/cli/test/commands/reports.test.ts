import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generateSigningKeyPair } from '@offside/protocol'
import t from 'tap'
import { setUp } from '../helper.js'

t.test(
  'offside reports prosecutor writes a signed bundle that reports verify accepts untouched and refuses once edited',
  async (t) => {
    const keys = generateSigningKeyPair()
    const { mkdtemp } = await import('node:fs/promises')
    const { tmpdir } = await import('node:os')
    const keyDir = await mkdtemp(join(tmpdir(), 'offside-report-key-'))
    const keyFile = join(keyDir, 'report.pem')
    await writeFile(keyFile, keys.privateKeyPem)
    const { run, dir } = await setUp(t, { reportSigningKeyFile: keyFile })
    const publicKey = join(dir, 'report.pub.pem')
    await writeFile(publicKey, keys.publicKeyPem)
    await run(['org', 'create', 'sky-it', '--kind', 'rightsholder', '--name', 'Sky Italia'])

    const written = await run([
      'reports',
      'prosecutor',
      '--from',
      '2026-01-01T00:00:00Z',
      '--to',
      '2027-01-01T00:00:00Z',
      '--out',
      'export.json',
    ])
    t.equal(written.code, 0, written.err)
    t.match(written.out, new RegExp(`signed by key ${keys.keyId}`))
    const verified = await run(['reports', 'verify', 'export.json', '--public-key', publicKey])
    t.equal(verified.code, 0, verified.err)
    t.match(verified.out, /report ok/)

    const file = join(dir, 'export.json')
    const bundle = JSON.parse(await readFile(file, 'utf8'))
    bundle.bundle.period.to = '2026-06-30T00:00:00.000Z'
    await writeFile(join(dir, 'edited.json'), JSON.stringify(bundle))
    const edited = await run(['reports', 'verify', 'edited.json', '--public-key', publicKey])
    t.equal(edited.code, 1, 'exit 1 on an edited bundle')
    t.match(edited.out, /does NOT verify: .*edited/)
    const noKey = await run(['reports', 'verify', 'export.json'])
    t.not(noKey.code, 0, 'a key is required')
  },
)
