/**
 * Finds the anvil binary (Foundry's local EVM node): an explicit path, then `ANVIL_PATH`, then
 * the npm package `@foundry-rs/anvil-<os>-<cpu>` (`@foundry-rs/anvil-linux-amd64` on Linux x64)
 * resolved from the current project's folder, then from coffer's own location.
 * @module
 * @internal
 */
import { accessSync, constants, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { NotSupportedError } from '../../core/errors.js'

/** The anvil package coffer declares as an optional peer dependency (Linux x64). */
const ANVIL_PACKAGE = '@foundry-rs/anvil-linux-amd64'

const CPUS: Readonly<Record<string, string>> = { x64: 'amd64', arm64: 'arm64' }

/** The Foundry anvil package for this machine's OS and CPU, e.g. `@foundry-rs/anvil-linux-amd64`. */
export function anvilPackageName(platform: string = process.platform, arch: string = process.arch): string {
  return `@foundry-rs/anvil-${platform}-${CPUS[arch] ?? arch}`
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false
    if (process.platform !== 'win32') accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/**
 * Where coffer itself is installed: this bundle's own file in the CommonJS build, else coffer's
 * package.json as the project resolves it (no `import.meta`, which the CommonJS build cannot hold).
 */
function cofferLocation(projectBase: string): string | undefined {
  if (typeof __filename === 'string') return __filename
  try {
    return createRequire(projectBase).resolve('coffer/package.json')
  } catch {
    return undefined
  }
}

function fromPackage(name: string, base: string): string | undefined {
  try {
    const manifest = createRequire(base).resolve(`${name}/package.json`)
    const bin = join(dirname(manifest), 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil')
    return isExecutableFile(bin) ? bin : undefined
  } catch {
    return undefined
  }
}

/** Where the anvil package is looked for: the current project's folder, then coffer's own location. */
function defaultSearchBases(): string[] {
  const project = pathToFileURL(join(process.cwd(), 'package.json')).href
  return [project, cofferLocation(project)].filter((b): b is string => b !== undefined)
}

/**
 * The anvil binary to run.
 * @param explicit a path given in code; wins over everything.
 * @param searchFrom files or file URLs the package is resolved from (as `require` would from them).
 * @throws NotSupportedError when the path given (or `ANVIL_PATH`) is not an executable file, or
 *   when no anvil package is installed; the message says what to install or set.
 */
export function resolveAnvilBinary(explicit?: string, searchFrom: readonly string[] = defaultSearchBases()): string {
  const given = explicit ?? (process.env.ANVIL_PATH || undefined)
  if (given !== undefined) {
    const source = explicit !== undefined ? 'anvilPath' : 'ANVIL_PATH'
    if (!isExecutableFile(given)) {
      throw new NotSupportedError(
        `${source} points at ${JSON.stringify(given)}, which is not an executable file; point it at an anvil binary, or unset it to use the ${ANVIL_PACKAGE} package.`,
        {
          details: { [source]: given },
        },
      )
    }
    return given
  }
  const name = anvilPackageName()
  for (const base of searchFrom) {
    const bin = fromPackage(name, base)
    if (bin) return bin
  }
  const platformNote =
    name === ANVIL_PACKAGE
      ? ''
      : ` (on this ${process.platform}-${process.arch} machine: ${name}, if Foundry publishes it, or a Foundry install)`
  throw new NotSupportedError(
    `anvil was not found: install it with \`npm install --save-dev ${ANVIL_PACKAGE}\`${platformNote}, or set ANVIL_PATH to an anvil binary (\`curl -L https://foundry.paradigm.xyz | bash && foundryup\` installs one).`,
    { details: { package: name, env: 'ANVIL_PATH' } },
  )
}
