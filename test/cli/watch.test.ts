/**
 * `coffer watch` end to end, as a user runs it: a child process per run against a local anvil with
 * a test USDT (coffer/testing's startLocalChain) and a PGlite folder in a temp dir as the store.
 * `--once` runs add the addresses from a CSV file, then follow a deposit from `detected` to
 * `confirmed` across runs (the cursor persists in the folder); `--json` prints JSON lines; bad
 * arguments fail with one line and exit 2; the live mode prints metric lines and stops cleanly on
 * SIGTERM (exit 0); with Redis on this machine, `--redis --workers` runs the scan as BullMQ jobs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startLocalChain, type LocalChain } from 'coffer/testing'
import { redisBin, startRedis, type LocalRedis } from '../support/redis.js'
import { cliBundle, coffer, startCoffer, type RunResult } from './helpers.js'

let local: LocalChain<'USDT'>
let dir: string
const store = () => join(dir, 'deposits')
const customers = Array.from({ length: 3 }, (_, i) => ({
  address: privateKeyToAccount(generatePrivateKey()).address,
  reference: `cust-${i}`,
}))

const run = (args: string[]): Promise<RunResult> => coffer(['watch', '--store', store(), ...args], { cwd: dir, timeoutMs: 60_000 })

/** The event lines of a run's stdout. */
const events = (r: RunResult) => r.stdout.split('\n').filter((l) => /^(detected|confirmed|reorged) /.test(l))

beforeAll(async () => {
  ;[local] = await Promise.all([startLocalChain({ tokens: ['USDT'] }), cliBundle()])
  dir = mkdtempSync(join(tmpdir(), 'coffer-watch-'))
  const usdt = local.tokens.USDT
  const config = {
    chains: [
      {
        name: 'local',
        chain: local.chainId,
        rpcUrls: [local.rpcUrl],
        tokens: [{ address: usdt.address, symbol: 'USDT', decimals: usdt.decimals, family: 'USDT' }],
      },
    ],
  }
  writeFileSync(join(dir, 'coffer.config.json'), JSON.stringify(config, null, 2))
  writeFileSync(join(dir, 'customers.csv'), ['address,reference', ...customers.map((c) => `${c.address},${c.reference}`)].join('\n') + '\n')
}, 60_000)

afterAll(async () => {
  await local?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('coffer watch', () => {
  it('--once adds the addresses of a CSV file (saying how many were new) and prints the metrics', async () => {
    const first = await run(['--addresses', 'customers.csv', '--once', '--confirmations', '2'])
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout).toMatch(/local: 3 new address\(es\) watched \(3 in customers\.csv\)/)
    expect(first.stdout).toMatch(/Chain\s.*Addresses\s.*Shards\s.*Height\s.*Behind/)
    expect(first.stdout).toMatch(/│ local\s*│\s*3 │\s*1 │\s*\d+ │\s*0 │/)
    expect(first.stdout).toMatch(/Events\/s: 0\.00\s+Pending events: 0/)

    const again = await run(['--addresses', 'customers.csv', '--once', '--confirmations', '2'])
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).toMatch(/local: 0 new address\(es\) watched \(3 in customers\.csv\)/)
    expect(again.stdout).toMatch(/│ local\s*│\s*3 │/)
  }, 60_000)

  it('follows a deposit from detected to confirmed across runs (the cursor persists in the folder)', async () => {
    const paid = customers[1]!
    await local.fund(paid.address, { USDT: '12.5' })
    const seen = await run(['--once', '--confirmations', '2'])
    expect(seen.code, seen.stderr).toBe(0)
    // The deposit's block is the head: 1 block deep, not 2.
    expect(events(seen)).toEqual([
      expect.stringMatching(new RegExp(`^detected local cust-1 12\\.5 USDT tx 0x[0-9a-f]{64} index \\d+ block \\d+$`)),
    ])

    await local.mine(1)
    const runs = [await run(['--once', '--confirmations', '2']), await run(['--once', '--confirmations', '2'])]
    for (const r of runs) expect(r.code, r.stderr).toBe(0)
    const later = runs.flatMap(events)
    expect(later).toEqual([expect.stringMatching(/^confirmed local cust-1 12\.5 USDT tx 0x[0-9a-f]{64} index \d+ block \d+$/)])
    expect(later[0]!.split(' tx ')[1]).toBe(events(seen)[0]!.split(' tx ')[1])
  }, 120_000)

  it('--json prints JSON lines: deposits with base units and the formatted amount, then the metrics', async () => {
    await local.fund(customers[2]!.address, { USDT: '3' })
    await local.mine(1)
    const r = await run(['--once', '--confirmations', '2', '--json'])
    expect(r.code, r.stderr).toBe(0)
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    const deposits = lines.filter((l) => l.type === 'deposit')
    expect(deposits.map((d) => d.kind)).toEqual(['detected', 'confirmed'])
    for (const d of deposits)
      expect(d).toMatchObject({
        chainId: local.chainId,
        reference: 'cust-2',
        address: customers[2]!.address.toLowerCase(),
        asset: local.tokens.USDT.assetId,
        symbol: 'USDT',
        decimals: 6,
        amount: '3000000',
        amountFormatted: '3',
        from: '0x0000000000000000000000000000000000000000',
        hash: expect.stringMatching(/^0x[0-9a-f]{64}$/),
      })
    const metrics = lines.filter((l) => l.type === 'metrics')
    expect(metrics).toHaveLength(1)
    expect(metrics[0]).toMatchObject({ chains: { [local.chainId]: { addresses: 3, shards: 1, behind: 0 } }, pendingEvents: 0 })
  }, 60_000)

  it('bad arguments: one error line and exit 2', async () => {
    writeFileSync(join(dir, 'not-a-folder'), 'x')
    writeFileSync(join(dir, 'bad.csv'), `${customers[0]!.address},ok\n0x1234,short\n`)
    writeFileSync(join(dir, 'bad.json'), '[{"address": 1')
    const cases: [string[], RegExp][] = [
      [['watch', '--store', 'not-a-folder', '--once'], /--store not-a-folder is a file/],
      [['watch', '--store', 'mysql://db.example/x', '--once'], /--store takes a folder \(PGlite\) or a postgres:\/\/ URL/],
      [['watch', '--store', store(), '--addresses', 'missing.csv', '--once'], /The addresses file missing\.csv does not exist/],
      [['watch', '--store', store(), '--addresses', 'bad.csv', '--once'], /bad\.csv line 2: "0x1234" is not an address on local/],
      [['watch', '--store', store(), '--addresses', 'bad.json', '--once'], /bad\.json is not valid JSON/],
      [['watch', '--store', store(), '--chain', 'nowhere', '--once'], /No configured chain "nowhere"/],
      [['watch', '--store', store(), '--workers'], /--workers needs --redis/],
      [['watch', '--store', store(), '--redis', 'localhost'], /--redis takes host:port/],
      [['watch', '--store', store(), '--redis', '127.0.0.1:6379'], /give their postgres:\/\/ URL/],
      [['watch', '--store', store(), '--shards', '0', '--once'], /--shards must be a whole number from 1 to 1024/],
    ]
    const results = await Promise.all(cases.map(([args]) => coffer(args, { cwd: dir })))
    for (const [i, r] of results.entries()) {
      expect(r.code, `${cases[i]![0].join(' ')}\n${r.stderr}`).toBe(2)
      const lines = r.stderr.split('\n').filter(Boolean)
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(/^error: /)
      expect(lines[0]).toMatch(cases[i]![1])
    }
    const missingStore = await coffer(['watch', '--once'], { cwd: dir })
    expect(missingStore.code).toBe(2)
    expect(missingStore.stderr).toMatch(/required option '--store <dir\|url>' not specified/)
  }, 60_000)

  it('live: prints a metrics line per refresh when stdout is not a terminal; SIGTERM stops it with exit 0', async () => {
    const watching = await startCoffer(['watch', '--store', store(), '--interval', '200', '--confirmations', '2'], {
      cwd: dir,
      timeoutMs: 60_000,
    })
    const metricLine = /^\S+Z local: 3 addresses, 1 shard\(s\), height \d+, behind \d+; \d+\.\d\d events\/s, \d+ pending$/gm
    await watching.waitForStdout(new RegExp(`(${metricLine.source}[\\s\\S]*){2}`, 'm'), 30_000)
    const result = await watching.stop('SIGTERM')
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout.match(metricLine)!.length).toBeGreaterThanOrEqual(2)
    expect(result.stderr).toMatch(/Watching local; Ctrl-C to stop\./)
    expect(result.stderr).toMatch(/Stopping…/)
    expect(result.stderr).not.toMatch(/error/)
  }, 60_000)
  it.skipIf(redisBin() === undefined)(
    '--redis --workers: BullMQ workers in this process scan and deliver; SIGTERM closes them (exit 0)',
    async () => {
      const redis = (await startRedis()) as LocalRedis
      try {
        const folder = join(dir, 'workers-store')
        const watching = await startCoffer(
          ['watch', '--store', folder, '--addresses', 'customers.csv', '--redis', `${redis.host}:${redis.port}`, '--workers'].concat([
            '--interval',
            '200',
            '--confirmations',
            '2',
            '--json',
          ]),
          { cwd: dir, timeoutMs: 90_000 },
        )
        await watching.waitForStdout(/"type":"addresses".*"added":3/, 60_000)
        await watching.waitForStdout(/"type":"metrics".*"height":\d+/, 30_000) // the cursor is set: deposits from now on count
        await local.fund(customers[0]!.address, { USDT: '7' })
        await local.mine(1)
        await watching.waitForStdout(/"kind":"confirmed"[^\n]*"reference":"cust-0"[^\n]*"amount":"7000000"/, 30_000)
        const result = await watching.stop('SIGTERM')
        expect(result.code, result.stderr).toBe(0)
        expect(result.stderr).toMatch(/Running watch workers \(Redis 127\.0\.0\.1:\d+\) for local/)
        const kinds = result.stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { type: string; kind?: string; reference?: string })
          .filter((l) => l.type === 'deposit' && l.reference === 'cust-0')
          .map((l) => l.kind)
        expect(kinds).toEqual(['detected', 'confirmed'])
      } finally {
        await redis.stop()
      }
    },
    120_000,
  )
})
