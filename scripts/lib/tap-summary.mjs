// Prints what CI shows last: every failed assertion (its full name and the first lines of its
// diagnostics), then tap's final counts as the plain summary line "N passed, N failed, N skipped".
// The failures come last because a CI page shows only the tail of a long run.
import { readFileSync } from 'node:fs'
import { Parser } from 'tap-parser'
import { stringify } from 'yaml'

const DIAG_LINES = 24
const text = readFileSync(process.argv[2], 'utf8')

const failures = []
const watch = (parser) => {
  parser.on('assert', (result) => {
    if (!result.ok && !result.todo && !result.skip) failures.push(result)
  })
  parser.on('child', watch)
}
const root = new Parser({ passes: false })
watch(root)
root.end(text)

// A failed subtest is also a failed assertion of its parent: name only the innermost ones.
const names = failures.map((result) => result.fullname)
const leaves = failures.filter(
  (result) => !names.some((name) => name !== result.fullname && name.startsWith(`${result.fullname} > `)),
)
if (leaves.length > 0) {
  console.log(`\n== ${leaves.length} failed assertion${leaves.length === 1 ? '' : 's'}`)
  for (const result of leaves) {
    console.log(`not ok - ${result.fullname}`)
    if (result.diag) {
      const diag = stringify(result.diag).trimEnd().split('\n')
      const shown = diag.slice(0, DIAG_LINES).map((line) => `    ${line}`)
      if (diag.length > DIAG_LINES) shown.push(`    … ${diag.length - DIAG_LINES} more lines`)
      console.log(shown.join('\n'))
    }
  }
  console.log('')
}

const lines = text.trimEnd().split('\n')
const last = lines.findLast((line) => /^# \{ total: \d+/.test(line))
const count = (name) => Number(last?.match(new RegExp(`${name}: (\\d+)`))?.[1] ?? 0)
const failed = count('fail')
const passed = count('pass')
const skipped = count('skip') + count('todo')
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
