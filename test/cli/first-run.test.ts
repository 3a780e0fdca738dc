/**
 * What a new user meets first, through the real `coffer` command: a `--vault` that is a folder
 * or sits in a missing folder (exit 2, a plain message), `balance` before any chain is
 * configured (exit 2, saying how to add one), and `--help` that names the wallet file and links
 * to docs that exist outside the npm package.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliBundle, coffer, json, type RunOptions, type RunResult } from './helpers.js'

const DOCS = 'https://github.com/coffer-wallet/coffer/blob/main/docs/cli.md'

let dir: string
const run = (args: string[], options: Partial<RunOptions> = {}): Promise<RunResult> =>
  coffer(args, { cwd: dir, env: { COFFER_PASSWORD: 'first run password' }, ...options })

/** stderr is exactly one `error: …` line matching `pattern`. */
function expectOneLineError(result: RunResult, pattern: RegExp): void {
  const lines = result.stderr.split('\n').filter((l) => l.length > 0)
  expect(lines, result.stderr).toHaveLength(1)
  expect(lines[0]).toMatch(pattern)
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'coffer-first-run-'))
  await cliBundle()
}, 60_000)

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('coffer, the first hour', () => {
  it('--vault naming a folder, or a file in a missing folder, exits 2 with a plain message and writes nothing', async () => {
    mkdirSync(join(dir, 'wallets'))
    writeFileSync(join(dir, 'vault-in-missing.json'), JSON.stringify({ vault: './missing/wallet', chains: [] }))
    const [folder, missing, fromConfig, asJson] = await Promise.all([
      run(['--vault', 'wallets', 'init']),
      run(['init', '--vault', 'nowhere/deeper/wallet']),
      run(['--config', 'vault-in-missing.json', 'init']),
      run(['--vault', 'wallets', 'balance', '--json']),
    ])
    expect(folder.code).toBe(2)
    expectOneLineError(
      folder,
      new RegExp(
        `^error: --vault ${join(dir, 'wallets')} is a folder, but it names the wallet file \\(its journal and records are kept beside it as .*wallets\\.<record>\\)`,
      ),
    )
    expect(missing.code).toBe(2)
    expectOneLineError(
      missing,
      new RegExp(`^error: The folder ${join(dir, 'nowhere/deeper')} of the wallet file \\(--vault .*\\) does not exist: create it first`),
    )
    expect(fromConfig.code).toBe(2)
    expectOneLineError(
      fromConfig,
      /^error: The folder .*missing of the wallet file \("vault" of .*vault-in-missing\.json: .*\) does not exist/,
    )
    expect(asJson.code).toBe(2)
    expect(json(asJson)).toEqual({ error: { code: 'USAGE', message: expect.stringMatching(/is a folder/), exitCode: 2 } })
    expect(existsSync(join(dir, 'nowhere'))).toBe(false)
    expect(existsSync(join(dir, 'missing'))).toBe(false)
  })

  it('balance with no chains configured says so and how to add one', async () => {
    const created = await run(['init', '--json'])
    expect(created.code, created.stderr).toBe(0)
    writeFileSync(join(dir, 'empty.json'), JSON.stringify({ chains: [] }))
    const [none, empty] = await Promise.all([run(['balance']), run(['--config', 'empty.json', 'balance'])])
    expect(none.code).toBe(2)
    expectOneLineError(
      none,
      /^error: No chains are configured: create coffer\.config\.json here \(or name a config file with --config\) with "chains": \[\{ "name": "polygon", "chain": "eip155:137", "rpcUrls": \[/,
    )
    expect(none.stderr).toContain(`--rpc eip155:137=<url>. See ${DOCS}#the-config-file.`)
    expect(none.stderr).not.toMatch(/adapters/)
    expect(empty.code).toBe(2)
    expectOneLineError(empty, /^error: .*empty\.json lists no chains: add one to its "chains"/)
  })

  it('--help names the wallet file and links to the reference on GitHub, not to a file the package lacks', async () => {
    const help = await run(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/--vault <file> +the wallet file; its journal and records are kept/)
    expect(help.stdout).toContain(`Reference: ${DOCS}`)
    expect(help.stdout).toContain('Project:   https://github.com/coffer-wallet/coffer')
    expect(help.stdout).not.toMatch(/Reference: docs\//)
    expect(help.stdout).toMatch(/build-tx \[options\] <chain> <asset> <amount> <to>/)
    expect(help.stdout).toMatch(/broadcast \[options\] <file>/)
    expect(help.stdout).toMatch(/9 broadcast outcome unknown/)
  })
})
