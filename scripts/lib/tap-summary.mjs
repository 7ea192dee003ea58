// Prints tap's final counts as the plain summary line CI reads: "N passed, N failed, N skipped".
import { readFileSync } from 'node:fs'

const text = readFileSync(process.argv[2], 'utf8')
const lines = text.trimEnd().split('\n')
const last = lines.findLast((line) => /^# \{ total: \d+/.test(line))
const count = (name) => Number(last?.match(new RegExp(`${name}: (\\d+)`))?.[1] ?? 0)
const failed = count('fail')
const passed = count('pass')
const skipped = count('skip') + count('todo')
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
