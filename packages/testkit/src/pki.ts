/**
 * A throw-away public-key infrastructure for TLS tests: a CA, a server certificate for 127.0.0.1
 * and a client certificate (for mutual TLS), made with the openssl CLI in a temporary folder that
 * is removed when the test ends.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export async function makeTestPki(t: { teardown(fn: () => unknown): void }) {
  const dir = await mkdtemp(join(tmpdir(), 'offside-tls-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const f = (name: string) => join(dir, name)
  const ossl = (...args: string[]) => run('openssl', args, { cwd: dir })
  await ossl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', f('ca.key'))
  await ossl(
    'req',
    '-x509',
    '-new',
    '-key',
    f('ca.key'),
    '-subj',
    '/CN=Offside test CA',
    '-days',
    '1',
    '-out',
    f('ca.pem'),
  )
  for (const [name, ext] of [
    ['server', 'subjectAltName=IP:127.0.0.1'],
    ['client', 'extendedKeyUsage=clientAuth'],
  ] as const) {
    await ossl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', f(`${name}.key`))
    await ossl('req', '-new', '-key', f(`${name}.key`), '-subj', `/CN=${name}`, '-out', f(`${name}.csr`))
    await run(
      'sh',
      [
        '-c',
        `printf '%s\\n' '${ext}' > ${name}.ext && openssl x509 -req -in ${name}.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 -extfile ${name}.ext -out ${name}.pem`,
      ],
      { cwd: dir },
    )
  }
  const read = (name: string) => readFile(f(name))
  return {
    files: { cert: f('server.pem'), key: f('server.key'), ca: f('ca.pem') },
    ca: await read('ca.pem'),
    clientCert: await read('client.pem'),
    clientKey: await read('client.key'),
  }
}
