/** The published shape: `npm run build` emits ESM, CJS and types for every exports subpath, and they load. */
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { bundle } from '../bench/bundle/size.js'

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
    await run('npm', ['run', 'build', '--silent'], { cwd: root, timeout: 120_000 })
  }, 150_000)

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

  const SUBPATH_SCRIPTS: Record<string, string> = {
    './vault': `console.log(JSON.stringify({ vault: typeof m.Vault.create, storage: typeof m.memoryStorage, error: new m.WrongPasswordError().code, isCoffer: new m.WrongPasswordError() instanceof m.CofferError }))`,
    './bitcoin': `const a = m.bitcoin({ network: 'regtest', esploraUrl: 'http://127.0.0.1:1' }); console.log(JSON.stringify({ chainId: a.chainId, native: a.nativeAsset, rbf: m.RBF_SEQUENCE === 0xfffffffd }))`,
    './portfolio': `const p = m.fixedPrices({ prices: { USDT: '1' } }); const csv = m.historyToCsv([]); console.log(JSON.stringify({ portfolio: typeof m.Portfolio, csv: csv.startsWith('date,chain,asset'), error: new m.PriceSourceError('x') instanceof m.CofferError, prices: typeof p.getPrices }))`,
    './evm': `const a = m.evm({ chain: 'eip155:1', rpcUrls: ['http://127.0.0.1:1'] }); console.log(JSON.stringify({ chainId: a.chainId, native: a.nativeAsset, usdt: m.EVM_TOKENS.some((t) => t.symbol === 'USDT') }))`,
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
        expect(JSON.parse(stdout)).toEqual({ address: expect.stringMatching(/^0x[0-9a-fA-F]{40}$/), error: 'InvalidPathError', isCoffer: true })
      }
      expect(JSON.parse(esm.stdout)).toEqual(JSON.parse(cjs.stdout))
    })
  }

  it('types resolve for ESM and CJS consumers under node16 module resolution', async () => {
    const dir = mkdtempSync(join(root, 'node_modules', '.coffer-types-'))
    try {
      const body = `export const a: string = deriveAccount(new Uint8Array(32), { chain: 'bitcoin' }).accountXpub\nexport const e: CofferError = new InvalidPathError('x')\n`
      writeFileSync(join(dir, 'esm.mts'), `import { deriveAccount, CofferError, InvalidPathError } from 'coffer'\nimport { HDNode } from 'coffer/keys'\nexport const n: HDNode | undefined = undefined\n${body}`)
      writeFileSync(join(dir, 'cjs.cts'), `import { deriveAccount, CofferError, InvalidPathError } from 'coffer'\nimport { HDNode } from 'coffer/keys'\nexport const n: HDNode | undefined = undefined\n${body}`)
      const tsc = join(root, 'node_modules', '.bin', 'tsc')
      await run(tsc, ['--noEmit', '--strict', '--module', 'node16', '--moduleResolution', 'node16', '--target', 'es2022', '--types', 'node', join(dir, 'esm.mts'), join(dir, 'cjs.cts')], { cwd: root })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('lets a bundler drop the nine wordlists an English-only app does not use (built package)', async () => {
    const { code } = await bundle('coffer-addresses', { fromDist: true })
    expect(code).toContain('abandon')
    for (const foreign of ['あいこくしん', 'ábaco', '가격', 'abaisser', 'abaco', 'abdikace', 'abacate', '的']) expect(code).not.toContain(foreign)
  })
})
