import { makeTestPki } from '@offside/testkit'
import t from 'tap'
import { startGateway } from './helper.js'

t.test('given a certificate the gateway serves wss://, which an agent trusting the CA accepts', async (t) => {
  const pki = await makeTestPki(t)
  const gw = await startGateway(t, { tls: { certFile: pki.files.cert, keyFile: pki.files.key } })
  t.match(gw.url, /^wss:\/\//, 'the stream is wss://')
  const socket = await gw.connect(undefined, { ca: pki.ca })
  t.equal(socket.protocol, '', 'connected over TLS')
  socket.terminate()
  await t.rejects(
    gw.connect(),
    /self.signed|unable to verify|certificate/i,
    'an agent not trusting the CA refuses it',
  )
})

t.test('with a client CA the gateway requires an agent certificate from it (mutual TLS)', async (t) => {
  const pki = await makeTestPki(t)
  const gw = await startGateway(t, {
    tls: { certFile: pki.files.cert, keyFile: pki.files.key, clientCaFile: pki.files.ca },
  })
  await t.rejects(
    gw.connect(undefined, { ca: pki.ca }),
    'no client certificate: refused during the handshake',
  )
  const socket = await gw.connect(undefined, { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey })
  t.ok(socket, 'a client certificate from the CA gets through to the token check')
  socket.terminate()
})
