/**
 * The package as npm would install it: `npm pack` of the built tree, unpacked into a throwaway
 * consumer project. No network: the consumer lives under the repository's `node_modules`, so
 * coffer's own dependencies (viem, @noble/…) resolve from there, exactly as after an install.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)
export const root = fileURLToPath(new URL('../..', import.meta.url))
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string
  exports: Record<string, string | { import: { types: string; default: string }; require: { types: string; default: string } }>
}

/** The source file behind an `exports` subpath (`./evm` -> `src/chains/evm/index.ts`), from its ESM target. */
function sourceOf(subpath: string): string {
  const entry = pkg.exports[subpath]
  if (typeof entry !== 'object') throw new Error(`${subpath} is not a code entry`)
  return entry.import.default.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts')
}

/** Every code subpath of `exports` (`.`, `./keys`, …) whose source exists; one being written now is left out until it does. */
export const SUBPATHS = Object.keys(pkg.exports).filter((s) => s !== './package.json' && existsSync(join(root, sourceOf(s))))
/** Subpaths listed in `exports` whose source does not exist yet (reported, not checked). */
export const PENDING = Object.keys(pkg.exports).filter((s) => s !== './package.json' && !SUBPATHS.includes(s))

/** `coffer`, `coffer/keys`, … */
export const specifier = (subpath: string) => (subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`)

/** A packed tarball of the current build (run `npm run build` first), in a fresh temp folder. */
export async function pack(): Promise<{ tarball: string; files: string[]; cleanup: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-pack-'))
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
    cwd: root,
    timeout: 120_000,
    maxBuffer: 64 << 20,
  })
  const [info] = JSON.parse(stdout) as [{ filename: string; files: { path: string }[] }]
  return {
    tarball: join(dir, info.filename),
    files: info.files.map((f) => f.path),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  }
}

/** A consumer project with the tarball unpacked at `node_modules/coffer`. */
export async function consumer(tarball: string): Promise<{ dir: string; packageDir: string; cleanup: () => void }> {
  const dir = mkdtempSync(join(root, 'node_modules', '.coffer-consumer-'))
  const packageDir = join(dir, 'node_modules', pkg.name)
  mkdirSync(packageDir, { recursive: true })
  await run('tar', ['-xzf', tarball, '-C', packageDir, '--strip-components=1'])
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'coffer-consumer', private: true }))
  return { dir, packageDir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}
