/**
 * The published shape: `npm run build` emits ESM, CJS and types for every exports subpath, and
 * they load; the packed tarball passes publint and arethetypeswrong, its declarations type-check
 * for CommonJS and ESM consumers with `skipLibCheck: false`, and what holds for error classes
 * across the two module systems is pinned down. Everything runs offline.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { builtinModules } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { publint } from 'publint'
import { formatMessage } from 'publint/utils'
import ts from 'typescript'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundle } from '../bench/bundle/size.js'
import { consumer, pack, PENDING, specifier, SUBPATHS } from './package/packed.js'

const run = promisify(execFile)
const root = fileURLToPath(new URL('..', import.meta.url))
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))

const SCRIPT = `
  const seed = new Uint8Array(32).fill(1)
  const a = m.deriveAccount(seed, { chain: 'evm' })
  const e = (() => { try { m.parsePath('x') } catch (err) { return err } })()
  console.log(JSON.stringify({ address: a.address, error: e.name, isCoffer: e instanceof m.CofferError }))
`

describe('package build', () => {
  beforeAll(async () => {
    await run('npm', ['run', 'build', '--silent'], { cwd: root, timeout: 240_000, maxBuffer: 64 << 20 })
  }, 300_000)

  it('ships one copy of each crypto library (runtime dependencies only; dev tools such as ethers carry their own)', () => {
    const lock = JSON.parse(readFileSync(new URL('../package-lock.json', import.meta.url), 'utf8'))
    for (const name of ['@noble/curves', '@noble/hashes', '@scure/base', '@scure/bip32', '@scure/bip39']) {
      const versions = new Set(
        Object.entries(lock.packages as Record<string, { version: string; dev?: boolean }>)
          .filter(([path, entry]) => path.endsWith(`node_modules/${name}`) && !entry.dev)
          .map(([, entry]) => entry.version),
      )
      expect([name, versions.size]).toEqual([name, 1])
    }
  })

  it('declares the exports, module type and side-effect freedom', () => {
    expect(pkg.type).toBe('module')
    expect(pkg.sideEffects).toBe(false)
    expect(Object.keys(pkg.exports)).toEqual(expect.arrayContaining(['.', './keys', './vault', './evm', './bitcoin', './portfolio']))
    expect(pkg.files).toContain('dist')
  })

  it('names its repository, homepage, issue tracker and keywords for the npm page', () => {
    expect(pkg.repository).toEqual({ type: 'git', url: 'git+https://github.com/coffer-wallet/coffer.git' })
    expect(pkg.homepage).toBe('https://github.com/coffer-wallet/coffer#readme')
    expect(pkg.bugs).toEqual({ url: 'https://github.com/coffer-wallet/coffer/issues' })
    expect(pkg.keywords).toEqual(expect.arrayContaining(['wallet', 'self-custody', 'stablecoin', 'bitcoin', 'evm']))
  })

  const SUBPATH_SCRIPTS: Record<string, string> = {
    './vault': `console.log(JSON.stringify({ vault: typeof m.Vault.create, storage: typeof m.memoryStorage, error: new m.WrongPasswordError().code, isCoffer: new m.WrongPasswordError() instanceof m.CofferError }))`,
    './bitcoin': `const a = m.bitcoin({ network: 'regtest', esploraUrl: 'http://127.0.0.1:1' }); console.log(JSON.stringify({ chainId: a.chainId, native: a.nativeAsset, rbf: m.RBF_SEQUENCE === 0xfffffffd }))`,
    './portfolio': `const p = m.fixedPrices({ prices: { USDT: '1' } }); const csv = m.historyToCsv([]); console.log(JSON.stringify({ portfolio: typeof m.Portfolio, csv: csv.startsWith('date,chain,asset'), error: new m.PriceSourceError('x') instanceof m.CofferError, prices: typeof p.getPrices }))`,
    './evm': `const a = m.evm({ chain: 'eip155:1', rpcUrls: ['http://127.0.0.1:1'] }); console.log(JSON.stringify({ chainId: a.chainId, native: a.nativeAsset, usdt: m.EVM_TOKENS.some((t) => t.symbol === 'USDT') }))`,
    './watch': `console.log(JSON.stringify({ store: typeof m.DepositStore.open, watcher: typeof m.DepositWatcher, migrations: m.MIGRATIONS.length > 0, canonical: m.canonicalAddress('0xAB') === '0xab' }))`,
  }
  for (const [subpath, script] of Object.entries(SUBPATH_SCRIPTS)) {
    it(`emits ESM, CJS and types for "${subpath}", and both load`, async () => {
      const entry = pkg.exports[subpath]
      for (const file of [entry.import.types, entry.import.default, entry.require.types, entry.require.default]) {
        expect(existsSync(new URL(`../${file}`, import.meta.url)), file).toBe(true)
      }
      const specifier = `coffer/${subpath.slice(2)}`
      const esm = await run(process.execPath, ['--input-type=module', '-e', `import * as m from '${specifier}'\n${script}`], { cwd: root })
      const cjs = await run(process.execPath, ['-e', `const m = require('${specifier}')\n${script}`], { cwd: root })
      expect(JSON.parse(esm.stdout)).toEqual(JSON.parse(cjs.stdout))
      expect(Object.values(JSON.parse(esm.stdout)).every((v) => v !== false && v !== 'undefined')).toBe(true)
    })
  }

  for (const subpath of ['.', './keys']) {
    it(`emits ESM, CJS and types for "${subpath}", and both load`, async () => {
      const entry = pkg.exports[subpath]
      for (const file of [entry.import.types, entry.import.default, entry.require.types, entry.require.default]) {
        expect(existsSync(new URL(`../${file}`, import.meta.url)), file).toBe(true)
      }
      const specifier = subpath === '.' ? 'coffer' : 'coffer/keys'
      const esm = await run(process.execPath, ['--input-type=module', '-e', `import * as m from '${specifier}'\n${SCRIPT}`], { cwd: root })
      const cjs = await run(process.execPath, ['-e', `const m = require('${specifier}')\n${SCRIPT}`], { cwd: root })
      for (const { stdout } of [esm, cjs]) {
        expect(JSON.parse(stdout)).toEqual({
          address: expect.stringMatching(/^0x[0-9a-fA-F]{40}$/),
          error: 'InvalidPathError',
          isCoffer: true,
        })
      }
      expect(JSON.parse(esm.stdout)).toEqual(JSON.parse(cjs.stdout))
    })
  }

  it('lets a bundler drop the nine wordlists an English-only app does not use (built package)', async () => {
    const { code } = await bundle('coffer-addresses', { fromDist: true })
    expect(code).toContain('abandon')
    for (const foreign of ['あいこくしん', 'ábaco', '가격', 'abaisser', 'abaco', 'abdikace', 'abacate', '的'])
      expect(code).not.toContain(foreign)
  })

  describe('the packed tarball', () => {
    let tarball = ''
    let dir = ''
    let packageDir = ''
    let packedFiles: string[] = []
    const cleanups: (() => void)[] = []

    beforeAll(async () => {
      const packed = await pack()
      cleanups.push(packed.cleanup)
      tarball = packed.tarball
      packedFiles = packed.files
      const installed = await consumer(tarball)
      cleanups.push(installed.cleanup)
      ;({ dir, packageDir } = installed)
    }, 120_000)
    afterAll(() => {
      for (const cleanup of cleanups.reverse()) cleanup()
    })

    it('passes publint (errors and warnings fail; entries still being written are skipped)', async () => {
      const { messages, pkg: packed } = await publint({ pkgDir: packageDir, pack: false, strict: true })
      const pending = (m: { path: string[] }) => m.path[0] === 'exports' && PENDING.includes(m.path[1] ?? '')
      const problems = messages.filter((m) => m.type !== 'suggestion' && !pending(m)).map((m) => formatMessage(m, packed, { color: false }))
      expect(problems).toEqual([])
      // Suggestions do not fail the build, but none are expected either: say so when one appears.
      expect(messages.filter((m) => m.type === 'suggestion').map((m) => formatMessage(m, packed, { color: false }))).toEqual([])
    })

    it('passes arethetypeswrong for node16 (CJS and ESM) and bundlers, offline on the tarball', async () => {
      // Profile node16: `moduleResolution: node10` cannot see `exports` subpaths at all (no
      // typesVersions), so it is left out on purpose; the root entry resolves there too.
      const attw = join(root, 'node_modules', '.bin', 'attw')
      const args = [tarball, '--profile', 'node16', '--format', 'ascii', '--no-color', '--no-emoji']
      if (PENDING.length) args.push('--exclude-entrypoints', ...PENDING)
      const result = await run(attw, args, { cwd: dir, timeout: 120_000, maxBuffer: 64 << 20 }).catch(
        (error: { stdout?: string; stderr?: string }) => {
          throw new Error(`attw failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`)
        },
      )
      // Exit 0 is the verdict; the report must also show every checked entry green (node10 is ignored).
      for (const subpath of SUBPATHS) {
        expect(result.stdout).toMatch(
          new RegExp(
            `"${specifier(subpath)}"\\s+node16 \\(from CJS\\): OK \\(CJS\\)\\s+node16 \\(from ESM\\): OK \\(ESM\\)\\s+bundler: OK`,
          ),
        )
      }
    }, 150_000)

    /** What a consumer writes per subpath: a typed use of one export where we know one, else the whole module's type. */
    const USES: Record<string, string> = {
      '.': `import { deriveAccount, CofferError, InvalidPathError } from 'coffer'\nexport const xpub: string = deriveAccount(new Uint8Array(32), { chain: 'bitcoin' }).accountXpub\nexport const error: CofferError = new InvalidPathError('x')\n`,
      './keys': `import { HDNode } from 'coffer/keys'\nexport const node: HDNode | undefined = undefined\n`,
      './vault': `import { Vault, memoryStorage } from 'coffer/vault'\nexport const create: typeof Vault.create = Vault.create\nexport const storage = memoryStorage()\n`,
      './evm': `import { evm } from 'coffer/evm'\nexport const chainId: string = evm({ chain: 'eip155:1', rpcUrls: ['http://127.0.0.1:1'] }).chainId\n`,
      './bitcoin': `import { bitcoin } from 'coffer/bitcoin'\nexport const chainId: string = bitcoin({ network: 'regtest', esploraUrl: 'http://127.0.0.1:1' }).chainId\n`,
      './portfolio': `import { fixedPrices } from 'coffer/portfolio'\nexport const prices = fixedPrices({ prices: { USDT: '1' } })\n`,
      './watch': `import { DepositStore, type DepositEvent } from 'coffer/watch'\nexport const open: typeof DepositStore.open = DepositStore.open\nexport type Event = DepositEvent\n`,
      './testing': `import { startLocalChain, startLocalBitcoin } from 'coffer/testing'\nexport const start: typeof startLocalChain = startLocalChain\nexport const bitcoin: typeof startLocalBitcoin = startLocalBitcoin\n`,
    }

    it(`type-checks for .cts and .mts consumers with skipLibCheck: false, module node16 and nodenext (${SUBPATHS.join(', ')})`, async () => {
      const files: string[] = []
      for (const subpath of SUBPATHS) {
        const spec = specifier(subpath)
        const name = subpath === '.' ? 'root' : subpath.slice(2)
        const use = USES[subpath] ?? ''
        // .cts: CommonJS, so every import here is a require() and resolves dist/cjs/**/*.d.cts.
        writeFileSync(
          join(dir, `cjs-${name}.cts`),
          `import whole = require('${spec}')\nexport const names: readonly string[] = Object.keys(whole)\nexport type Api = typeof whole\n${use}`,
        )
        writeFileSync(
          join(dir, `esm-${name}.mts`),
          `import * as whole from '${spec}'\nexport const names: readonly string[] = Object.keys(whole)\nexport type Api = typeof whole\n${use}`,
        )
        files.push(`cjs-${name}.cts`, `esm-${name}.mts`)
      }
      const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
      const check = async (mode: 'node16' | 'nodenext', lib?: string[]) => {
        const label = `${mode}${lib ? ` lib ${lib.join(',')}` : ''}`
        const config = join(dir, `tsconfig.${mode}${lib ? '.lib' : ''}.json`)
        const compilerOptions = {
          module: mode,
          moduleResolution: mode,
          target: 'es2022',
          ...(lib && { lib }),
          types: ['node'],
          strict: true,
          skipLibCheck: false,
          noEmit: true,
        }
        writeFileSync(config, JSON.stringify({ compilerOptions, files }, null, 2))
        const output = await run(process.execPath, [tsc, '-p', config, '--pretty', 'false'], {
          cwd: dir,
          timeout: 150_000,
          maxBuffer: 64 << 20,
        }).then(
          () => '',
          (error: { stdout?: string }) => error.stdout ?? String(error),
        )
        // Without the DOM lib, viem's own dependency ox names CryptoKey & co. (an upstream matter
        // every viem user meets); coffer's declarations and the consumer must still be clean.
        const errors = output
          .split('\n')
          .filter((line) => /error TS/.test(line) && (!lib || /^(node_modules\/coffer\/|cjs-|esm-)/.test(line)))
        return `${label}: ${errors.length ? `\n${errors.join('\n')}` : 'ok'}`
      }
      // node16 is where TS1479 showed with TypeScript 5.9 (nodenext models require(esm) since 5.8).
      expect(await Promise.all([check('node16'), check('nodenext'), check('node16', ['es2022'])])).toEqual([
        'node16: ok',
        'nodenext: ok',
        'node16 lib es2022: ok',
      ])
    }, 200_000)

    it('reproduces TS1479 without the resolution-mode step of `npm run build` (scripts/cjs-types.mjs)', async () => {
      const file = join(packageDir, 'dist', 'cjs', 'evm', 'index.d.cts')
      const fixed = readFileSync(file, 'utf8')
      expect(fixed).toContain(`from 'viem' with { 'resolution-mode': 'import' }`)
      try {
        // What tsup emits: plain imports of viem, whose types TypeScript reads as ESM.
        writeFileSync(file, fixed.replaceAll(` with { 'resolution-mode': 'import' }`, '').replace(/^import type /gm, 'import '))
        writeFileSync(
          join(dir, 'ts1479.cts'),
          `import { evm } from 'coffer/evm'\nexport const chainId: string = evm({ chain: 'eip155:1', rpcUrls: ['http://127.0.0.1:1'] }).chainId\n`,
        )
        const compilerOptions = {
          module: 'node16',
          moduleResolution: 'node16',
          target: 'es2022',
          types: ['node'],
          strict: true,
          skipLibCheck: false,
          noEmit: true,
        }
        writeFileSync(join(dir, 'tsconfig.ts1479.json'), JSON.stringify({ compilerOptions, files: ['ts1479.cts'] }))
        const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
        const output = await run(process.execPath, [tsc, '-p', join(dir, 'tsconfig.ts1479.json'), '--pretty', 'false'], {
          cwd: dir,
          timeout: 150_000,
          maxBuffer: 64 << 20,
        }).then(
          () => '',
          (error: { stdout?: string }) => error.stdout ?? '',
        )
        expect(output).toMatch(/node_modules\/coffer\/dist\/cjs\/evm\/index\.d\.cts\(\d+,\d+\): error TS1479: .*viem/)
      } finally {
        writeFileSync(file, fixed)
      }
    }, 200_000)

    it('loads every subpath from the tarball with require() and import(), with the same export names', async () => {
      writeFileSync(
        join(dir, 'exports.mjs'),
        `import { createRequire } from 'node:module'
const require = createRequire(import.meta.url)
const out = {}
for (const spec of JSON.parse(process.argv[2])) {
  const cjs = Object.keys(require(spec)).sort()
  const esm = Object.keys(await import(spec)).sort()
  out[spec] = { count: cjs.length, onlyCjs: cjs.filter((k) => !esm.includes(k)), onlyEsm: esm.filter((k) => !cjs.includes(k)) }
}
console.log(JSON.stringify(out))
`,
      )
      const specs = SUBPATHS.map(specifier)
      const { stdout } = await run(process.execPath, [join(dir, 'exports.mjs'), JSON.stringify(specs)], { cwd: dir, timeout: 60_000 })
      const result = JSON.parse(stdout) as Record<string, { count: number; onlyCjs: string[]; onlyEsm: string[] }>
      for (const spec of specs) expect([spec, result[spec]]).toEqual([spec, { count: expect.any(Number), onlyCjs: [], onlyEsm: [] }])
      for (const spec of specs) expect(result[spec]!.count).toBeGreaterThan(0)
    })

    it('imports at run time only Node built-ins and packages it declares (dependencies, peerDependencies)', () => {
      const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as Record<
        string,
        Record<string, string> | undefined
      >
      const declared = new Set([pkg.name, ...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})])
      const builtins = new Set(builtinModules)
      const undeclared = new Map<string, string>()
      for (const file of packedFiles.filter((f) => /\.(c|m)?js$/.test(f))) {
        // TypeScript's import scanner: static imports, re-exports, import() and require() calls.
        const { importedFiles } = ts.preProcessFile(readFileSync(join(packageDir, file), 'utf8'), true, true)
        for (const { fileName: spec } of importedFiles) {
          if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('node:')) continue
          const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!
          if (builtins.has(name) || declared.has(name)) continue
          if (!undeclared.has(name)) undeclared.set(name, file)
        }
      }
      // A devDependency imported from dist works here and fails for every user who installs coffer.
      expect(
        Object.fromEntries(undeclared),
        'declare these in dependencies, or in peerDependencies (+ peerDependenciesMeta optional)',
      ).toEqual({})
    })

    it('error classes: one identity per module system; across CJS and ESM only `code` and `name` hold (the dual package hazard)', async () => {
      writeFileSync(
        join(dir, 'identity.mjs'),
        `import { createRequire } from 'node:module'
const require = createRequire(import.meta.url)
const cjs = require('coffer'), cjsVault = require('coffer/vault')
const esm = await import('coffer'), esmVault = await import('coffer/vault')
const thrown = (f) => { try { f() } catch (e) { return e } }
const fromCjs = thrown(() => cjs.parsePath('x')), fromEsm = thrown(() => esm.parsePath('x'))
console.log(JSON.stringify({
  cjsAcrossSubpaths: new cjsVault.WrongPasswordError() instanceof cjs.CofferError && cjsVault.CofferError === cjs.CofferError,
  esmAcrossSubpaths: new esmVault.WrongPasswordError() instanceof esm.CofferError && esmVault.CofferError === esm.CofferError,
  sameClass: cjs.CofferError === esm.CofferError,
  cjsErrorIsEsmInstance: fromCjs instanceof esm.CofferError,
  esmErrorIsCjsInstance: fromEsm instanceof cjs.CofferError,
  codes: [fromCjs.code, fromEsm.code],
  names: [fromCjs.name, fromEsm.name],
  bothErrors: fromCjs instanceof Error && fromEsm instanceof Error,
}))
`,
      )
      const { stdout } = await run(process.execPath, [join(dir, 'identity.mjs')], { cwd: dir, timeout: 60_000 })
      expect(JSON.parse(stdout)).toEqual({
        cjsAcrossSubpaths: true,
        esmAcrossSubpaths: true,
        // The CJS build is a second copy of every class. README "Errors" tells users to test
        // `error.code` (or `name`), not `instanceof`, when both module systems load coffer.
        // If CofferError ever gets a cross-copy Symbol.hasInstance, flip these and that text.
        sameClass: false,
        cjsErrorIsEsmInstance: false,
        esmErrorIsCjsInstance: false,
        codes: ['INVALID_PATH', 'INVALID_PATH'],
        names: ['InvalidPathError', 'InvalidPathError'],
        bothErrors: true,
      })
    })

    it("a new user's first hour: in an empty folder, the README quick start runs from the tarball — a stablecoin sent, the limit kept after a reopen, a Bitcoin receive address", async () => {
      // An empty folder outside the repository, set up as the README says: npm init -y, "type":
      // "module", coffer from the tarball, tsx and the local chains' packages. No network: the
      // packages are linked from this repository's node_modules, as an install would place them.
      const user = mkdtempSync(join(tmpdir(), 'coffer-first-hour-'))
      cleanups.push(() => rmSync(user, { recursive: true, force: true }))
      await run('npm', ['init', '-y'], { cwd: user, timeout: 60_000 })
      await run('npm', ['pkg', 'set', 'type=module'], { cwd: user, timeout: 60_000 })
      const modules = join(user, 'node_modules')
      mkdirSync(join(modules, 'coffer'), { recursive: true })
      await run('tar', ['-xzf', tarball, '-C', join(modules, 'coffer'), '--strip-components=1'])
      const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
        dependencies: Record<string, string>
        peerDependencies: Record<string, string>
      }
      for (const name of [...Object.keys(manifest.dependencies), ...Object.keys(manifest.peerDependencies), 'tsx']) {
        mkdirSync(dirname(join(modules, name)), { recursive: true })
        symlinkSync(join(root, 'node_modules', name), join(modules, name), 'dir')
      }
      // The README's quick start, pasted as it stands.
      const readme = readFileSync(join(root, 'README.md'), 'utf8')
      const quickStart = /## Quick start[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1]
      expect(quickStart, 'README has a quick start block').toBeDefined()
      writeFileSync(join(user, 'quickstart.ts'), quickStart as string)
      const env = { ...process.env }
      delete env.ANVIL_PATH // the anvil package installed in the folder is found on its own
      const { stdout } = await run(process.execPath, [join(modules, 'tsx', 'dist', 'cli.mjs'), 'quickstart.ts'], {
        cwd: user,
        env,
        timeout: 180_000,
      })
      expect(stdout).toMatch(/^sent 0x[0-9a-f]{64}$/m)
      expect(stdout).toMatch(/Refused by policy \(perWindow\): 180 USDC would bring the last 24 h to 205 USDC/)
      expect(stdout).toMatch(/^receive bitcoin at bcrt1q[0-9a-z]{38}$/m)
      // The wallet it made lives in the folder: the vault, its journal and its stored policy.
      expect(readdirSync(user).filter((f) => f.startsWith('my-wallet'))).toEqual(
        expect.arrayContaining(['my-wallet', 'my-wallet.journal', 'my-wallet.policy-rules']),
      )
    }, 240_000)
  })
})
