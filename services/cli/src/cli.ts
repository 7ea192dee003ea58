#!/usr/bin/env node
// The `offside` command. All the work is in program.ts so tests can run it in-process.
import { runCli } from './program.js'

// `offside token list | head -1`: the reader went away, so there is nobody left to tell anything.
// Stop quietly (like `git log | head`), not with an unhandled EPIPE stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0)
    throw err
  })
}

const code = await runCli(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
})
process.exitCode = code
