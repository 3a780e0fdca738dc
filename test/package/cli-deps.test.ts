/**
 * The CLI's dependencies stay out of the library's import graph: a user who imports `coffer` or
 * any `coffer/<subpath>` and never runs the `coffer` command loads none of them (see
 * docs/design-notes.md, "CLI dependencies"). Checked on the sources: from every entry in
 * subpaths.json, follow each static `import`/`export … from` (relative ones into their files;
 * type-only ones are erased and skipped, `import()` is lazy and skipped) and collect the packages
 * reached.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { root } from './packed.js'

const read = (file: string) => JSON.parse(readFileSync(join(root, file), 'utf8'))
const list = read('subpaths.json') as Record<string, string>
const dependencies = Object.keys((read('package.json') as { dependencies: Record<string, string> }).dependencies)
const CLI_DIR = join(root, 'src', 'cli')
/** The packages the issue names as the CLI's: each must be CLI-only (or lazy) if it is a dependency at all. */
const NAMED_CLI_PACKAGES = ['commander', 'ora', '@inquirer/prompts', 'cli-table3', 'qrcode']

type Imports = { static: string[]; lazy: string[] }

const parsed = new Map<string, Imports>()
/** The module specifiers a source file imports: static ones that stay at run time, and `import()` ones. */
function importsOf(file: string): Imports {
  let found = parsed.get(file)
  if (!found) parsed.set(file, (found = scan(file)))
  return found
}

function scan(file: string): Imports {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true)
  const found: Imports = { static: [], lazy: [] }
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            clause.namedBindings !== undefined &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((e) => e.isTypeOnly)))
      if (!typeOnly) found.static.push(node.moduleSpecifier.text)
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const typeOnly =
        node.isTypeOnly ||
        (node.exportClause !== undefined &&
          ts.isNamedExports(node.exportClause) &&
          node.exportClause.elements.length > 0 &&
          node.exportClause.elements.every((e) => e.isTypeOnly))
      if (!typeOnly) found.static.push(node.moduleSpecifier.text)
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments
      if (arg && ts.isStringLiteralLike(arg)) found.lazy.push(arg.text)
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    ) {
      if (!node.isTypeOnly) found.static.push(node.moduleReference.expression.text)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

/** `./x.js` from `file` -> the `.ts` file it names (or the folder's index.ts). */
function resolveRelative(file: string, spec: string): string {
  const base = join(dirname(file), spec)
  for (const candidate of [base.replace(/\.(m|c)?js$/, '.$1ts'), base, `${base}.ts`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate
  }
  throw new Error(`${relative(root, file)}: cannot resolve ${spec}`)
}

/** `@scope/name/sub` -> `@scope/name`; `name/sub` -> `name`. */
const packageOf = (spec: string) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!)
const isBuiltin = (spec: string) => spec.startsWith('node:')

/** Every file and package reached from `entry` through static imports, with the chain that reached each package. */
function staticGraph(entry: string): { files: Set<string>; packages: Map<string, string[]> } {
  const files = new Set<string>()
  const packages = new Map<string, string[]>()
  const walk = (file: string, chain: string[]) => {
    if (files.has(file)) return
    files.add(file)
    const here = [...chain, relative(root, file)]
    for (const spec of importsOf(file).static) {
      if (spec.startsWith('.')) walk(resolveRelative(file, spec), here)
      else if (!isBuiltin(spec) && !packages.has(packageOf(spec))) packages.set(packageOf(spec), here)
    }
  }
  walk(join(root, entry), [])
  return { files, packages }
}

/** Every .ts file under `dir`. */
const sourcesIn = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name))

const librarySources = sourcesIn(join(root, 'src')).filter((f) => !f.startsWith(`${CLI_DIR}/`))
const cliSources = sourcesIn(CLI_DIR)
const packagesIn = (files: string[], kind: keyof Imports) =>
  new Set(
    files.flatMap((f) =>
      importsOf(f)
        [kind].filter((s) => !s.startsWith('.') && !isBuiltin(s))
        .map(packageOf),
    ),
  )

/**
 * The dependencies a library user must never load up front:
 * - CLI-only: imported by src/cli/** and by no library file;
 * - lazy: imported by library files only through `import()` (qrcode, behind `paymentQr`).
 */
const libraryStatic = packagesIn(librarySources, 'static')
const libraryLazy = packagesIn(librarySources, 'lazy')
const cliUses = new Set([...packagesIn(cliSources, 'static'), ...packagesIn(cliSources, 'lazy')])
const CLI_ONLY = dependencies.filter((d) => cliUses.has(d) && !libraryStatic.has(d) && !libraryLazy.has(d))
const LAZY = dependencies.filter((d) => libraryLazy.has(d) && !libraryStatic.has(d))
const KEPT_OUT = [...CLI_ONLY, ...LAZY]

describe('the CLI dependencies stay out of the library import graph', () => {
  it('finds the CLI-only and lazy dependencies from package.json and the sources', () => {
    // A named CLI package missing here is imported statically by a library file outside src/cli.
    const named = NAMED_CLI_PACKAGES.filter((name) => dependencies.includes(name))
    const where = (name: string) =>
      librarySources.filter((f) => importsOf(f).static.some((s) => packageOf(s) === name)).map((f) => relative(root, f))
    expect(
      named.filter((name) => !KEPT_OUT.includes(name)).map((name) => `${name}: imported statically by ${where(name).join(', ')}`),
      'keep CLI packages in src/cli/ (or behind import())',
    ).toEqual([])
    expect(CLI_ONLY.length).toBeGreaterThan(0)
  })

  it.each(Object.entries(list).filter(([, source]) => existsSync(join(root, source))))(
    '"%s" (%s) reaches no src/cli file and none of them',
    (_subpath, source) => {
      const { files, packages } = staticGraph(source)
      const cliFiles = [...files].filter((f) => f.startsWith(`${CLI_DIR}/`)).map((f) => relative(root, f))
      expect(cliFiles, 'library code must not import src/cli/**').toEqual([])
      const reached = KEPT_OUT.filter((name) => packages.has(name)).map((name) => `${name} via ${packages.get(name)!.join(' -> ')}`)
      expect(reached, 'import these lazily (await import()) or only from src/cli/').toEqual([])
    },
  )

  it('the walk sees the real imports (sanity: the entries reach viem and @noble/curves, the CLI reaches commander)', () => {
    const reached = Object.values(list)
      .filter((source) => existsSync(join(root, source)))
      .flatMap((source) => [...staticGraph(source).packages.keys()])
    expect(reached).toEqual(expect.arrayContaining(['viem', '@noble/curves']))
    expect([...staticGraph('src/cli/main.ts').packages.keys()]).toContain('commander')
  })
})
