/**
 * One list of subpaths: subpaths.json. package.json `exports` and tsconfig.json `paths` are
 * written from it by `npm run subpaths` (scripts/subpaths.mjs); tsup.config.ts and
 * vitest.config.ts read it. Here: all of them agree with the list, in the dist layout the
 * package tests rely on.
 */
import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { root } from './packed.js'

const FIX = 'subpaths.json is the one list of subpaths: edit it, then run `npm run subpaths`'
const read = (file: string) => JSON.parse(readFileSync(join(root, file), 'utf8'))
const list = read('subpaths.json') as Record<string, string>
const pkg = read('package.json') as { name: string; main: string; module: string; types: string; exports: Record<string, unknown> }
const tsconfig = read('tsconfig.json') as { compilerOptions: { paths: Record<string, string[]> } }
const specifier = (subpath: string) => (subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`)

/** The dist layout: ESM mirrors src (`src/chains/evm/index.ts` -> `dist/chains/evm/index.js`), CJS is one bundle per subpath (`dist/cjs/evm/index.cjs`). */
function layout(subpath: string, source: string) {
  const esm = `./dist/${source.replace(/^src\//, '').replace(/\.ts$/, '')}`
  const cjs = subpath === '.' ? './dist/cjs/index' : `./dist/cjs/${subpath.slice(2)}/index`
  return { import: { types: `${esm}.d.ts`, default: `${esm}.js` }, require: { types: `${cjs}.d.cts`, default: `${cjs}.cjs` } }
}

describe('subpaths.json, the one list of subpaths', () => {
  it('names subpaths and the source file behind each', () => {
    for (const [subpath, source] of Object.entries(list)) {
      expect([subpath, source]).toEqual([expect.stringMatching(/^\.(\/[a-z0-9][a-z0-9-]*)*$/), expect.stringMatching(/^src\/.+\.ts$/)])
    }
    expect(Object.keys(list)).toContain('.')
  })

  it('package.json `exports` are the list, in the dist layout, in its order', () => {
    const code = Object.fromEntries(Object.entries(pkg.exports).filter(([, entry]) => typeof entry !== 'string'))
    const want = Object.fromEntries(Object.entries(list).map(([subpath, source]) => [subpath, layout(subpath, source)]))
    expect(code, FIX).toEqual(want)
    expect(Object.keys(code), FIX).toEqual(Object.keys(list))
    expect(pkg.exports['./package.json']).toBe('./package.json')
  })

  it('package.json `main`, `module` and `types` are the "." entry', () => {
    const rootEntry = layout('.', list['.']!)
    expect({ main: pkg.main, module: pkg.module, types: pkg.types }, FIX).toEqual({
      main: rootEntry.require.default,
      module: rootEntry.import.default,
      types: rootEntry.import.types,
    })
  })

  it('tsconfig.json `paths` map each package name to its source', () => {
    const want = Object.fromEntries(Object.entries(list).map(([subpath, source]) => [specifier(subpath), [`./${source}`]]))
    const own = Object.fromEntries(
      Object.entries(tsconfig.compilerOptions.paths).filter(([key]) => key === pkg.name || key.startsWith(`${pkg.name}/`)),
    )
    expect(own, FIX).toEqual(want)
  })

  it('`npm run subpaths -- --check` agrees', async () => {
    const result = await promisify(execFile)(process.execPath, [join(root, 'scripts/subpaths.mjs'), '--check'], { cwd: root }).then(
      () => '',
      (error: { stderr?: string }) => error.stderr ?? String(error),
    )
    expect(result, FIX).toBe('')
  })

  it('tsup.config.ts builds one CJS entry per subpath, at dist/cjs/<name>/index.cjs', async () => {
    const { default: config } = (await import('../../tsup.config.js')) as { default: { entry?: unknown; format?: unknown }[] }
    const cjs = config.find((c) => Array.isArray(c.format) && c.format.includes('cjs'))
    const want = Object.fromEntries(
      Object.entries(list)
        .filter(([, source]) => existsSync(join(root, source)))
        .map(([subpath, source]) => [
          layout(subpath, source)
            .require.default.replace(/^\.\/dist\/cjs\//, '')
            .replace(/\.cjs$/, ''),
          source,
        ]),
    )
    expect(cjs?.entry).toEqual(want)
  })

  const present = Object.entries(list).filter(([, source]) => existsSync(join(root, source)))
  it.each(present)('vitest resolves the package name of "%s" to %s', async (subpath, source) => {
    const [byName, bySource] = await Promise.all([
      import(/* @vite-ignore */ specifier(subpath)),
      import(/* @vite-ignore */ join(root, source)),
    ])
    // The same module instance: every export is the very same value.
    expect(Object.keys(byName).sort()).toEqual(Object.keys(bySource).sort())
    expect(Object.keys(bySource).filter((key) => byName[key] !== bySource[key])).toEqual([])
  })
})
