import { spawn } from 'node:child_process'
import { request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { connect } from 'node:net'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { createLandingPage, type LandingPageOptions, landingPageOptions } from '../src/landing-page.js'

const options: LandingPageOptions = {
  authority: 'AGCOM',
  reference: 'order 123/26/DDA',
  complainUrl: 'https://offside.example/complaints',
  lookupUrl: 'https://offside.example/lookup',
  blockedBy: 'https://isp.example/blocking',
}

async function start(t: Tap) {
  const server = createLandingPage(options)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise((resolve) => server.close(resolve)))
  return (server.address() as AddressInfo).port
}
type Tap = { teardown(fn: () => unknown): void }

function get(port: number, host: string, method = 'GET', path = '/') {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method, path, headers: { host } }, (res) => {
        let body = ''
        res.on('data', (chunk) => {
          body += chunk
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
      })
      req.on('error', reject)
      req.end()
    },
  )
}

t.test(
  'every request gets HTTP 451 naming the authority, the order, how to complain, and who blocks',
  async (t) => {
    const port = await start(t)
    for (const [method, path] of [
      ['GET', '/'],
      ['GET', '/live/match.m3u8?token=abc'],
      ['POST', '/login'],
    ] as const) {
      const res = await get(port, 'pirate-stream.test', method, path)
      t.equal(res.status, 451, `${method} ${path} is 451 Unavailable For Legal Reasons`)
      t.equal(res.headers.link, '<https://isp.example/blocking>; rel="blocked-by"', 'with the RFC 7725 Link')
      t.match(res.body, /AGCOM/, 'naming the authority')
      t.match(res.body, /order 123\/26\/DDA/, "and the order's reference")
      t.match(res.body, /https:\/\/offside\.example\/complaints/, 'and where to complain')
      t.match(res.body, /lookup\?target=pirate-stream\.test/, 'and the public look-up of that very name')
      t.equal(res.headers['cache-control'], 'no-store', 'never cached by the browser')
    }
    const head = await get(port, 'pirate-stream.test', 'HEAD')
    t.equal(head.status, 451, 'HEAD too')
  },
)

t.test('a hostile Host header is never echoed into the page', async (t) => {
  const port = await start(t)
  const res = await get(port, '<script>alert(1)</script>')
  t.equal(res.status, 451)
  t.notMatch(res.body, /<script>/, 'no markup from the request reaches the page')
})

t.test(
  'the landing page logs nothing about the subscriber or the name they tried (SPEC rule 11)',
  async (t) => {
    // Run as its own process so everything it could print is captured, and nothing else is.
    const module = JSON.stringify(fileURLToPath(new URL('../src/landing-page.ts', import.meta.url)))
    const source = `
    import { createLandingPage } from ${module}
    const server = createLandingPage(${JSON.stringify(options)})
    server.listen(0, '127.0.0.1', () => process.send(server.address().port))
  `
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', source], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    })
    t.teardown(() => child.kill())
    let output = ''
    child.stdout?.on('data', (chunk) => {
      output += chunk
    })
    child.stderr?.on('data', (chunk) => {
      output += chunk
    })
    const port = await new Promise<number>((resolve) => child.once('message', (m) => resolve(Number(m))))
    const res = await get(port, 'secret-subscriber-visit.test', 'GET', '/watch?user=alice')
    t.equal(res.status, 451, 'the subscriber got the page')
    // A malformed request line, answered by closing: still nothing written anywhere.
    await new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => socket.write('NOT HTTP\r\n\r\n'))
      socket.on('close', () => resolve())
      socket.on('error', () => resolve())
    })
    await new Promise((resolve) => setTimeout(resolve, 200))
    t.equal(output, '', 'the process printed nothing: no address, no name, no path')
  },
)

t.test('the landingPage settings are checked, naming the setting at fault', async (t) => {
  t.same(landingPageOptions({ ...options }), options, 'a complete section is accepted')
  t.throws(
    () =>
      landingPageOptions({ reference: 'r', complainUrl: options.complainUrl, blockedBy: options.blockedBy }),
    /landingPage.authority is required/,
  )
  t.throws(() => landingPageOptions({ ...options, complainUrl: 'mailto:x' }), /complainUrl must be an http/)
  t.throws(() => landingPageOptions({ ...options, colour: 'red' }), /landingPage.colour is not a setting/)
})
