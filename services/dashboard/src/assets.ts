/**
 * The browser side, bundled from `src/web/` by esbuild's JS API in memory when the service starts,
 * so a fresh checkout serves the page with no build step and nothing is fetched from a CDN.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

/** One static file: its bytes and content type. */
export interface Asset {
  body: Buffer
  type: string
}

// The browser sources, from src/assets.ts and from the built dist/assets.js alike.
const webDir = fileURLToPath(new URL('../src/web/', import.meta.url))

async function bundle(): Promise<Map<string, Asset>> {
  const result = await build({
    entryPoints: { app: join(webDir, 'main.tsx') },
    bundle: true,
    write: false,
    outdir: '/assets',
    format: 'esm',
    target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'silent',
  })
  const assets = new Map<string, Asset>()
  for (const file of result.outputFiles) {
    const name = file.path.slice(file.path.lastIndexOf('/') + 1)
    const type = name.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8'
    assets.set(`/assets/${name}`, { body: Buffer.from(file.contents), type })
  }
  const html = await readFile(join(webDir, 'index.html'))
  assets.set('/', { body: html, type: 'text/html; charset=utf-8' })
  return assets
}

let built: Promise<Map<string, Asset>> | undefined

/** The bundled page and its assets, built once per process and shared by every app instance. */
export function webAssets(): Promise<Map<string, Asset>> {
  built ??= bundle().catch((err: unknown) => {
    built = undefined
    throw err
  })
  return built
}
