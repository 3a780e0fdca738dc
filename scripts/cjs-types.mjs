#!/usr/bin/env node
/**
 * Makes the bundled CommonJS declarations (`dist/cjs/**\/*.d.cts`) type-check for CommonJS
 * consumers. Run by `npm run build` after tsup.
 *
 * Why: a `.d.cts` is a CommonJS module, so its `import … from 'viem'` resolves viem with the
 * `require` condition. viem's `exports` give one `types` for both conditions,
 * `_types/index.d.ts`, under a `{"type":"module"}` package.json: for TypeScript those types are
 * ESM, and a CommonJS file importing them is TS1479 under `--module node16`/`node18` (and under
 * `nodenext` before TypeScript 5.8) when the consumer has `skipLibCheck: false`. At run time
 * `require('viem')` loads viem's CJS build and works: only the types are wrong.
 *
 * Fix: every import in a `.d.cts` whose target TypeScript would resolve to an ESM file for a
 * `require` becomes `import type … from 'x' with { 'resolution-mode': 'import' }` (and
 * `import('x')` types get the same attribute): the types are then read as ESM, which is what
 * they are. Declarations only hold types, so `import type` loses nothing. Needs TypeScript >= 5.3
 * in the consumer (the `with` attribute syntax).
 *
 * Usage: node scripts/cjs-types.mjs [dir]   (default dist/cjs; prints what it changed)
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const ATTRIBUTE = `with { 'resolution-mode': 'import' }`
const OPTIONS = { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 }

/** Every `.d.cts` under `dir`. */
function declarationFiles(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.d.cts'))
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name))
}

const formatCache = new Map()
/** Whether `specifier`, required from `file`, resolves (for TypeScript) to an ES module. */
function resolvesToEsm(specifier, file) {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return false
  const { resolvedModule } = ts.resolveModuleName(specifier, file, OPTIONS, ts.sys, undefined, undefined, ts.ModuleKind.CommonJS)
  if (!resolvedModule) throw new Error(`${file}: cannot resolve '${specifier}' for a CommonJS consumer`)
  const target = resolvedModule.resolvedFileName
  if (!formatCache.has(target)) {
    const ext = resolvedModule.extension
    const esm =
      ext === ts.Extension.Mts || ext === ts.Extension.Dmts || ext === ts.Extension.Mjs
        ? true
        : ext === ts.Extension.Cts || ext === ts.Extension.Dcts || ext === ts.Extension.Cjs
          ? false
          : ts.getImpliedNodeFormatForFile(target, undefined, ts.sys, OPTIONS) === ts.ModuleKind.ESNext
    formatCache.set(target, esm)
  }
  return formatCache.get(target)
}

/** The rewritten text of one declaration file, and a line per change. */
export function rewrite(file, text) {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
  const edits = [] // { start, end, text }
  const notes = []
  const visit = (node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && !node.attributes) {
      const specifier = node.moduleSpecifier.text
      const clause = node.importClause
      if (clause && resolvesToEsm(specifier, file)) {
        const quoted = node.moduleSpecifier.getText(source)
        const parts = []
        if (clause.name) parts.push(`import type ${clause.name.text} from ${quoted} ${ATTRIBUTE};`)
        if (clause.namedBindings) parts.push(`import type ${clause.namedBindings.getText(source)} from ${quoted} ${ATTRIBUTE};`)
        edits.push({ start: node.getStart(source), end: node.getEnd(), text: parts.join('\n') })
        notes.push(`${file}: import from '${specifier}' -> import type … ${ATTRIBUTE}`)
      }
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      if (resolvesToEsm(node.moduleSpecifier.text, file)) {
        // Not produced today; TypeScript only takes `resolution-mode` on type-only imports, so a
        // re-export would need an import + export pair. Fail loudly rather than ship a broken file.
        throw new Error(`${file}: re-export from ESM-typed '${node.moduleSpecifier.text}' needs handling in scripts/cjs-types.mjs`)
      }
    } else if (ts.isImportTypeNode(node) && !node.attributes) {
      const literal = ts.isLiteralTypeNode(node.argument) ? node.argument.literal : undefined
      if (literal && ts.isStringLiteral(literal) && resolvesToEsm(literal.text, file)) {
        edits.push({ start: literal.getEnd(), end: literal.getEnd(), text: `, { with: { 'resolution-mode': 'import' } }` })
        notes.push(`${file}: import('${literal.text}') type -> resolution-mode import`)
      }
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  let out = text
  for (const edit of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, edit.start) + edit.text + out.slice(edit.end)
  return { text: out, notes }
}

const invokedDirectly = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)
if (invokedDirectly) {
  const dir = resolve(process.argv[2] ?? 'dist/cjs')
  let changed = 0
  for (const file of declarationFiles(dir)) {
    const before = readFileSync(file, 'utf8')
    const { text, notes } = rewrite(file, before)
    if (text !== before) {
      writeFileSync(file, text)
      changed++
      for (const note of notes) console.log(`cjs-types: ${note.replace(dir + '/', '')}`)
    }
  }
  if (changed === 0) console.log('cjs-types: no .d.cts imports needed a resolution-mode')
}
