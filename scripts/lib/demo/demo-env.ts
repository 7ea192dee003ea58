import { rm, writeFile } from 'node:fs/promises'

/**
 * `.offside/demo.env` holds bearer tokens: written mode 0600 (replacing a file an earlier run
 * left, whatever its mode), and removed when the demo stops, so nothing points at dead ports.
 */
export async function writeDemoEnv(file: string, values: Record<string, string>): Promise<void> {
  await rm(file, { force: true })
  const text = `${Object.entries(values)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n')}\n`
  await writeFile(file, text, { mode: 0o600 })
}

export async function removeDemoEnv(file: string): Promise<void> {
  await rm(file, { force: true })
}
