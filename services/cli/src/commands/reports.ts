import { readFile, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { trustedKeysFromPem, verifyReport } from '@offside/protocol'
import { type Command, CommanderError } from 'commander'
import type { Cli } from '../context.js'
import { collect, publicKeyPem } from '../public-key.js'

/** `reports prosecutor` and `reports verify`: the signed export for the public prosecutor (art. 3.6). */
export function registerReports(program: Command, cli: Cli): void {
  const { io } = cli
  const reports = program
    .command('reports')
    .description("reports for the law: the prosecutor's signed export")
  reports
    .command('prosecutor')
    .description(
      "write the public prosecutor's export for a period (every order, whom it was notified and each delivery, the ISPs' acknowledgements), signed with the deployment's report key",
    )
    .requiredOption('--from <instant>', 'start of the period (ISO 8601, e.g. 2026-07-01T00:00:00Z)')
    .requiredOption('--to <instant>', 'end of the period (ISO 8601, exclusive)')
    .requiredOption('--out <file>', 'where to write the signed bundle (JSON)')
    .action(async (options: { from: string; to: string; out: string }) => {
      const signed = (await cli.call('authority', '/v1/reports/prosecutor', {
        query: { from: options.from, to: options.to },
      })) as { bundle: { orders: unknown[] }; signature: { keyId: string } }
      const target = resolve(io.cwd, options.out)
      await writeFile(target, `${JSON.stringify(signed, null, 2)}\n`)
      io.out(
        `wrote ${signed.bundle.orders.length} orders to ${target}, signed by key ${signed.signature.keyId}`,
      )
    })
  reports
    .command('verify')
    .description('check a signed report offline against the report public key. Exits 1 if it was edited')
    .argument('<file>', 'a bundle written by `offside reports prosecutor`')
    .option(
      '--public-key <key>',
      'the report public key (PEM file or text); repeat while rotating',
      collect,
      [],
    )
    .action(async (file: string, options: { publicKey: string[] }) => {
      if (options.publicKey.length === 0) throw new Error('verify needs --public-key (the report public key)')
      const trusted = trustedKeysFromPem(
        await Promise.all(options.publicKey.map((key) => publicKeyPem(key, io.cwd))),
      )
      const verdict = verifyReport(await readFile(resolve(io.cwd, file), 'utf8'), trusted)
      cli.show(verdict, () =>
        io.out(
          verdict.ok
            ? `report ok: signed by key ${verdict.keyId}`
            : `report does NOT verify: ${verdict.reason}`,
        ),
      )
      if (!verdict.ok) throw new CommanderError(1, 'offside.reports', 'report does not verify')
    })
}
