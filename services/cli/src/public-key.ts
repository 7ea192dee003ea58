import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'

/** A `--public-key`: a PEM file, or the PEM text itself. */
export async function publicKeyPem(value: string, cwd: string): Promise<string> {
  if (value.includes('-----BEGIN')) return value
  const file = resolve(cwd, value)
  if (!existsSync(file))
    throw new Error(`--public-key ${value}: no such file (give a PEM file or the PEM text)`)
  return readFile(file, 'utf8')
}

/** Commander's option parser for a repeatable option (`--public-key A --public-key B`). */
export const collect = (value: string, previous: string[]) => [...previous, value]
