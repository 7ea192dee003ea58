import { open, readFile } from 'node:fs/promises'

/** Reads a file that may not exist yet (a fresh agent): undefined then, any other error thrown. */
export async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

/** fsyncs a folder, so that a file created or renamed in it keeps its name after a crash. */
export async function syncFolder(dir: string): Promise<void> {
  const folder = await open(dir, 'r')
  try {
    await folder.sync()
  } finally {
    await folder.close()
  }
}
