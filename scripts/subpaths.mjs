#!/usr/bin/env node
/**
 * The package's subpath exports come from one list, `subpaths.json` at the repository root:
 * `{ "<subpath>": "<source file>" }`, e.g. `"./evm": "src/chains/evm/index.ts"`. A new subpath is
 * one line there, then `npm run subpaths`.
 *
 * Read at run time (nothing to regenerate):
 *   tsup.config.ts     one CJS entry per subpath
 *   vitest.config.ts   one `coffer/<name>` alias per subpath (tests import the package by name)
 * Written by this script, because JSON cannot read another file:
 *   package.json       `exports` (and `main`, `module`, `types` from "."), in the dist layout below
 *   tsconfig.json      `compilerOptions.paths` (`coffer/<name>` -> the source file)
 * knip reads `exports` (mapped back to src through tsconfig's `outDir`), so it needs no copy.
 *
 * The dist layout (test/package.test.ts and the packed-package tests rely on it):
 *   ESM   ./dist/<source path without src/>.js and .d.ts   (the ESM build mirrors src, one file per module)
 *   CJS   ./dist/cjs/<name>/index.cjs and .d.cts            (<name> is the subpath; "." is ./dist/cjs/index.cjs)
 *
 *   npm run subpaths               rewrite package.json and tsconfig.json from the list
 *   npm run subpaths -- --check    exit 1, saying what differs, if they disagree with the list
 *   npm run subpaths -- --prune    also drop `exports` entries that are no longer in the list
 *
 * test/package/subpaths.test.ts runs the same check inside `npm test`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { isDeepStrictEqual } from 'node:util'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(fileURLToPath(import.meta.url), '..', '..')
const LIST = join(root, 'subpaths.json')
const PACKAGE = join(root, 'package.json')
const TSCONFIG = join(root, 'tsconfig.json')

const SUBPATH = /^\.(\/[a-z0-9][a-z0-9-]*)*$/
const SOURCE = /^src\/(.+)\.ts$/

/** The list, checked: `.` or `./a/b` keys, `src/….ts` values. */
export function readSubpaths(file = LIST) {
  const list = JSON.parse(readFileSync(file, 'utf8'))
  if (typeof list !== 'object' || list === null || Array.isArray(list))
    throw new Error(`${file}: expected an object { "<subpath>": "src/….ts" }`)
  for (const [subpath, source] of Object.entries(list)) {
    if (!SUBPATH.test(subpath)) throw new Error(`${file}: "${subpath}" is not a subpath such as "." or "./evm"`)
    if (typeof source !== 'string' || !SOURCE.test(source))
      throw new Error(`${file}: "${subpath}" must name a source file such as "src/chains/evm/index.ts", got ${JSON.stringify(source)}`)
  }
  return list
}

/** The `exports` entry for one subpath. */
export function exportsEntry(subpath, source) {
  const esm = `./dist/${SOURCE.exec(source)[1]}`
  const cjs = `./dist/cjs/${subpath === '.' ? '' : `${subpath.slice(2)}/`}index`
  return {
    import: { types: `${esm}.d.ts`, default: `${esm}.js` },
    require: { types: `${cjs}.d.cts`, default: `${cjs}.cjs` },
  }
}

/** The package name for a subpath: `coffer`, `coffer/evm`. */
export const specifier = (name, subpath) => (subpath === '.' ? name : `${name}/${subpath.slice(2)}`)

/**
 * What package.json and tsconfig.json should hold. Entries of `exports` that are not code
 * (`"./package.json": "./package.json"`) are kept, after the code ones.
 */
export function expected(list, pkg, tsconfig, { prune = false } = {}) {
  const exports = {}
  for (const [subpath, source] of Object.entries(list)) exports[subpath] = exportsEntry(subpath, source)
  const stale = []
  for (const [subpath, entry] of Object.entries(pkg.exports ?? {})) {
    if (subpath in exports) continue
    if (typeof entry === 'string') exports[subpath] = entry
    else if (!prune) stale.push(subpath)
  }
  const paths = {}
  for (const [subpath, source] of Object.entries(list)) paths[specifier(pkg.name, subpath)] = [`./${source}`]
  for (const [key, value] of Object.entries(tsconfig.compilerOptions?.paths ?? {})) {
    if (key !== pkg.name && !key.startsWith(`${pkg.name}/`)) paths[key] = value
  }
  const fields = { exports }
  const rootEntry = exports['.']
  if (rootEntry) Object.assign(fields, { main: rootEntry.require.default, module: rootEntry.import.default, types: rootEntry.import.types })
  return { fields, paths, stale }
}

/** Differences between the files and the list, one line each (empty when they agree). */
export function problems(list, pkg, tsconfig) {
  const { fields, paths, stale } = expected(list, pkg, tsconfig)
  const out = []
  for (const subpath of stale)
    out.push(`package.json exports["${subpath}"] is not in subpaths.json (add it there, or run npm run subpaths -- --prune to drop it)`)
  for (const [field, want] of Object.entries(fields)) {
    if (field === 'exports') continue
    if (pkg[field] !== want) out.push(`package.json "${field}" is ${JSON.stringify(pkg[field])}, the list gives ${JSON.stringify(want)}`)
  }
  const have = pkg.exports ?? {}
  for (const [subpath, want] of Object.entries(fields.exports)) {
    if (!isDeepStrictEqual(have[subpath], want))
      out.push(`package.json exports["${subpath}"] is ${JSON.stringify(have[subpath])}, the list gives ${JSON.stringify(want)}`)
  }
  const want = Object.keys(fields.exports)
  if (!out.length && !isDeepStrictEqual(Object.keys(have), want))
    out.push(`package.json exports are ordered ${Object.keys(have).join(', ')}; the list gives ${want.join(', ')}`)
  const havePaths = tsconfig.compilerOptions?.paths ?? {}
  for (const [key, want] of Object.entries(paths)) {
    if (!isDeepStrictEqual(havePaths[key], want))
      out.push(`tsconfig.json paths["${key}"] is ${JSON.stringify(havePaths[key])}, the list gives ${JSON.stringify(want)}`)
  }
  for (const key of Object.keys(havePaths)) if (!(key in paths)) out.push(`tsconfig.json paths["${key}"] is not in subpaths.json`)
  return out
}

/** JSON in the repository's style: prettier's when it is installed (as `npm run format` would leave it), else 2-space JSON. */
async function format(file, value) {
  const text = `${JSON.stringify(value, null, 2)}\n`
  try {
    const prettier = await import('prettier')
    const options = (await prettier.resolveConfig(file)) ?? {}
    return await prettier.format(text, { ...options, filepath: file })
  } catch (error) {
    if (error?.code === 'ERR_MODULE_NOT_FOUND') return text
    throw error
  }
}

/** Replaces `key` of `object` in place (keeping the key order), or adds it at the end. */
function assign(object, key, value) {
  object[key] = value
  return object
}

async function main(argv) {
  const check = argv.includes('--check')
  const prune = argv.includes('--prune')
  const list = readSubpaths()
  const pkg = JSON.parse(readFileSync(PACKAGE, 'utf8'))
  const tsconfig = JSON.parse(readFileSync(TSCONFIG, 'utf8'))
  const missing = Object.entries(list).filter(([, source]) => !existsSync(join(root, source)))
  for (const [subpath, source] of missing)
    console.warn(`note: ${subpath} -> ${source} does not exist yet (tsup and the package tests skip it until it does)`)

  if (check) {
    const found = problems(list, pkg, tsconfig)
    for (const line of found) console.error(line)
    if (found.length) console.error(`\n${found.length} difference(s) from subpaths.json: run \`npm run subpaths\``)
    return found.length ? 1 : 0
  }

  const { fields, paths, stale } = expected(list, pkg, tsconfig, { prune })
  if (stale.length) {
    for (const subpath of stale)
      console.error(
        `package.json exports["${subpath}"] is not in subpaths.json: add it there, or run npm run subpaths -- --prune to drop it`,
      )
    return 1
  }
  for (const [field, value] of Object.entries(fields)) assign(pkg, field, value)
  assign(tsconfig.compilerOptions, 'paths', paths)
  for (const [file, value] of [
    [PACKAGE, pkg],
    [TSCONFIG, tsconfig],
  ]) {
    const text = await format(file, value)
    if (readFileSync(file, 'utf8') === text) continue
    writeFileSync(file, text)
    console.log(`wrote ${relative(root, file)}`)
  }
  return 0
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) process.exitCode = await main(process.argv.slice(2))
