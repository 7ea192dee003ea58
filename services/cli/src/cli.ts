#!/usr/bin/env node
// The `offside` command. All the work is in program.ts so tests can run it in-process.
import { runCli } from './program.js'

const code = await runCli(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
})
process.exitCode = code
