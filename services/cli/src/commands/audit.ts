import { readFile, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { trustedKeysFromPem } from '@offside/protocol'
import { verifyAuditExport } from '@offside/store/audit-export'
import { type Command, CommanderError } from 'commander'
import type { Cli } from '../context.js'
import { collect, publicKeyPem } from '../public-key.js'

/** `audit verify [FILE]` and `audit export FILE`: the hash-chained audit log (SPEC rule 9). */
export function registerAudit(program: Command, cli: Cli): void {
  const { io } = cli
  const audit = program.command('audit').description('the hash-chained audit log')
  audit
    .command('verify')
    .description(
      'without FILE: ask the API to recompute the chain; with FILE (an export): check it offline against the checkpoint public key, naming every record changed, missing, reordered or rewritten. Exits 1 if anything does not hold',
    )
    .argument('[file]', 'an export written by `offside audit export` (checked offline, no API needed)')
    .option(
      '--public-key <key>',
      'the audit checkpoint public key (PEM file or text); repeat for keys of a rotation',
      collect,
      [],
    )
    .action(async (file: string | undefined, options: { publicKey: string[] }) => {
      if (file) return verifyFile(cli, resolve(io.cwd, file), options.publicKey)
      const result = (await cli.call('authority', '/v1/audit/verify')) as {
        ok: boolean
        checked: number
        firstBad?: { seq: number; reason: string }
      }
      cli.show(result, () =>
        io.out(
          result.ok
            ? `audit chain ok: ${result.checked} records`
            : `audit chain BROKEN at record ${result.firstBad?.seq}: ${result.firstBad?.reason}`,
        ),
      )
      if (!result.ok) throw new CommanderError(1, 'offside.audit', 'audit chain does not verify')
    })
  audit
    .command('export')
    .description('write every audit record and signed checkpoint to FILE (JSON lines), for offline checks')
    .argument('<file>', 'where to write the export')
    .action(async (file: string) => {
      const text = (await cli.call('authority', '/v1/audit/export')) as string
      const target = resolve(io.cwd, file)
      await writeFile(target, text)
      const lines = text.split('\n').filter((line) => line.trim() !== '')
      const checkpoints = lines.filter((line) => line.startsWith('{"type":"checkpoint"')).length
      io.out(`wrote ${lines.length - checkpoints} records and ${checkpoints} checkpoints to ${target}`)
    })
}

async function verifyFile(cli: Cli, file: string, keys: string[]): Promise<void> {
  const { io } = cli
  if (keys.length === 0)
    throw new Error('verifying a file needs --public-key (the audit checkpoint public key)')
  const trusted = trustedKeysFromPem(await Promise.all(keys.map((key) => publicKeyPem(key, io.cwd))))
  const result = verifyAuditExport(await readFile(file, 'utf8'), trusted)
  cli.show(result, () => {
    for (const problem of result.problems) io.out(`${problem.kind}: ${problem.message}`)
    if (result.ok) {
      const later = result.unanchored > 0 ? ` (${result.unanchored} later records not checkpointed yet)` : ''
      io.out(
        `audit export ok: ${result.records} records, anchored up to record ${result.anchoredUpTo} by ${result.checkpoints} signed checkpoints${later}`,
      )
    } else {
      io.out(`audit export does NOT verify: ${result.problems.length} problem(s) in ${file}`)
    }
  })
  if (!result.ok) throw new CommanderError(1, 'offside.audit', 'audit export does not verify')
}
