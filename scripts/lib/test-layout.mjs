// Checks that each package's and service's test/ mirrors its src/: a test of one module is
// test/<path>.test.ts (or test/<path>.<aspect>.test.ts) beside src/<path>.ts, and a test that
// spans several modules lives under test/behaviour/. Prints each misplaced file; exits 1 if any.
import { existsSync, readdirSync } from 'node:fs'
import { join, relative } from 'node:path'

const root = new URL('../..', import.meta.url).pathname

/** Every *.test.ts under `dir`, as paths relative to it. */
function testFiles(dir, prefix = '') {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(prefix, entry.name)
    if (entry.isDirectory())
      return entry.name === 'node_modules' ? [] : testFiles(join(dir, entry.name), path)
    return entry.name.endsWith('.test.ts') ? [path] : []
  })
}

/** The src/ module a test file specifies, or undefined when none matches its name. */
function moduleOf(workspace, testPath) {
  const parts = testPath.slice(0, -'.test.ts'.length).split('.')
  for (let keep = parts.length; keep >= 1; keep--) {
    const base = join(workspace, 'src', parts.slice(0, keep).join('.'))
    if (existsSync(`${base}.ts`) || existsSync(`${base}.tsx`)) return base
  }
  return undefined
}

const misplaced = []
let checked = 0
for (const group of ['packages', 'services']) {
  for (const name of readdirSync(join(root, group))) {
    const workspace = join(root, group, name)
    for (const testPath of testFiles(join(workspace, 'test'))) {
      checked++
      if (testPath.startsWith(`behaviour/`)) continue
      if (!moduleOf(workspace, testPath)) misplaced.push(relative(root, join(workspace, 'test', testPath)))
    }
  }
}
for (const path of misplaced) {
  console.error(
    `${path}: no src/ module of that name; move it beside the module it specifies, or under test/behaviour/`,
  )
}
console.log(`test layout: ${checked} test files, ${misplaced.length} misplaced`)
process.exit(misplaced.length ? 1 : 0)
