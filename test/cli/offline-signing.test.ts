/**
 * Offline signing from the command line, end to end: `coffer build-tx` on the online side,
 * `coffer sign-tx` with the network off, `coffer broadcast` back online — a child process per
 * command, against the shared anvil behind the RPC fault proxy (test/support/rpc-proxy.ts).
 * The online config reaches the node through the proxy; the offline config names the proxy too,
 * so the proxy's request count proves sign-tx contacted nothing. The tests run in order and
 * share one wallet. Bitcoin takes the same three steps against the local Esplora server.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { evm } from 'coffer/evm'
import { mintTokens, setBalance } from '../support/anvil.js'
import { startEsplora, type EsploraServer } from '../support/esplora-server.js'
import { startRpcProxy, type RpcProxy } from '../support/rpc-proxy.js'
import vectors from '../vectors/bip-addresses.json'
import { cliBundle, coffer, json, type RunOptions, type RunResult } from './helpers.js'

const PASSWORD = 'offline signing password'
const shared = inject('anvil')
const USDT = shared.fixtures.usdt
const USDT_ID = `eip155:31337/erc20:${USDT.address.toLowerCase()}` as const

let proxy: RpcProxy
let dir: string
let address: `0x${string}`

const run = (args: string[], options: Partial<RunOptions> = {}): Promise<RunResult> =>
  coffer(args, { cwd: dir, env: { COFFER_PASSWORD: PASSWORD }, ...options })
const offline = (args: string[], options: Partial<RunOptions> = {}) => run(['--config', 'offline.json', ...args], options)
const fresh = (): `0x${string}` => privateKeyToAccount(generatePrivateKey()).address

async function usdtOf(owner: string): Promise<bigint> {
  const adapter = evm({ chain: 'eip155:31337', rpcUrls: [shared.url], tokens: [{ address: USDT.address, symbol: 'USDT', decimals: 6 }] })
  const [read] = await adapter.getBalances({ addresses: [owner], assets: [USDT_ID] })
  if (!read?.ok) throw new Error('balance read failed')
  return read.amount
}

/** build-tx (online) then sign-tx (offline, answered yes): the signed file's hash. */
async function buildAndSign(name: string, amount: string, to: string): Promise<string> {
  const built = await run(['build-tx', 'local', 'USDT', amount, to, '--out', `${name}.unsigned.json`])
  expect(built.code, built.stderr).toBe(0)
  const signed = await offline(['sign-tx', `${name}.unsigned.json`, '--out', `${name}.signed.json`, '--json'], { input: 'y\n' })
  expect(signed.code, signed.stderr).toBe(0)
  return json<{ hash: string }>(signed).hash
}

interface Entry {
  kind: string
  hash?: string
  status?: string
  payment?: string
  amount?: string
  to?: string
  note?: string
}

async function journalOf(hash: string): Promise<Entry[]> {
  const shown = await run(['journal', 'show', '--json', '--limit', '1000'])
  expect(shown.code, shown.stderr).toBe(0)
  return json<{ entries: Entry[] }>(shown).entries.filter((e) => e.hash === hash)
}

beforeAll(async () => {
  ;[proxy] = await Promise.all([startRpcProxy(shared.url), cliBundle()])
  dir = mkdtempSync(join(tmpdir(), 'coffer-offline-'))
  const usdt = { address: USDT.address, symbol: 'USDT', decimals: 6, family: 'USDT' }
  const chain = (url: string, tokens: unknown[]) => ({ chains: [{ name: 'local', chain: 'eip155:31337', rpcUrls: [url], tokens }] })
  writeFileSync(join(dir, 'coffer.config.json'), JSON.stringify(chain(proxy.url, [usdt])))
  writeFileSync(join(dir, 'offline.json'), JSON.stringify(chain(proxy.url, [usdt])))
  // An offline machine whose config does not list the token: it cannot check a symbol.
  writeFileSync(join(dir, 'offline-bare.json'), JSON.stringify(chain(proxy.url, [])))
  const created = await run(['init', '--json'])
  expect(created.code, created.stderr).toBe(0)
  address = json<{ accounts: { address: `0x${string}` }[] }>(created).accounts[0]!.address
  await setBalance(shared.url, address, 10n ** 18n)
  await mintTokens(shared.url, USDT.address, address, 100_000_000n)
}, 60_000)

afterAll(async () => {
  await proxy?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('coffer build-tx → sign-tx → broadcast', () => {
  it('moves 7 USDT: the offline prompt reads "7 USDT", sign-tx touches no network, the journal links signature and broadcast', async () => {
    const recipient = fresh()
    const built = await run(['build-tx', 'local', 'USDT', '7', recipient, '--out', 'pay.unsigned.json'])
    expect(built.code, built.stderr).toBe(0)
    expect(built.stderr).toMatch(/Send: +7 USDT/)
    expect(built.stderr).toMatch(/not checked against the spending policy/)
    expect(built.stdout).toMatch(/written to pay\.unsigned\.json/)
    const unsigned = JSON.parse(readFileSync(join(dir, 'pay.unsigned.json'), 'utf8')) as { from: string; summary: Record<string, unknown> }
    expect(unsigned.from).toBe(address)
    expect(unsigned.summary).toMatchObject({ asset: USDT_ID, amount: '7000000', symbol: 'USDT', decimals: 6 })

    proxy.reset()
    const signed = await offline(['sign-tx', 'pay.unsigned.json', '--out', 'pay.signed.json'], { input: 'y\n' })
    expect(signed.code, signed.stderr).toBe(0)
    expect(proxy.requests).toBe(0)
    expect(signed.stderr).toContain(`Sign:   7 USDT to ${recipient}`)
    expect(signed.stderr).toContain(`Sign 7 USDT to ${recipient}? [y/N]`)
    expect(signed.stderr).not.toMatch(/warning:/)
    const doc = JSON.parse(readFileSync(join(dir, 'pay.signed.json'), 'utf8')) as { hash: string; from: string }
    expect(doc.from).toBe(address)

    const before = await usdtOf(address)
    const sent = await run(['broadcast', 'pay.signed.json'])
    expect(sent.code, sent.stderr).toBe(0)
    expect(sent.stdout).toContain(`Sent: ${doc.hash}`)
    expect(sent.stdout).toMatch(/Status: confirmed in block \d+/)
    expect(await usdtOf(recipient)).toBe(7_000_000n)
    expect(before - (await usdtOf(address))).toBe(7_000_000n)

    // One payment: signed offline, then sent by broadcast, with what it pays.
    const entries = await journalOf(doc.hash)
    expect(entries.map((e) => e.status)).toEqual(['signed', 'sent'])
    expect(new Set(entries.map((e) => e.payment)).size).toBe(1)
    expect(entries[1]).toMatchObject({
      kind: 'transaction',
      amount: '7000000',
      to: recipient,
      note: expect.stringMatching(/coffer broadcast/),
    })
  })

  it('build-tx needs no wallet with --from, and prints the unsigned JSON alone on stdout', async () => {
    mkdirSync(join(dir, 'watch-only'))
    const result = await run([
      '--vault',
      'watch-only/none',
      'build-tx',
      'local',
      'USDT',
      '1.5',
      fresh(),
      '--from',
      address,
      '--fee',
      'slow',
    ])
    expect(result.code, result.stderr).toBe(0)
    const unsigned = JSON.parse(result.stdout) as { chainId: string; from: string; summary: Record<string, unknown> }
    expect(unsigned).toMatchObject({ chainId: 'eip155:31337', from: address, summary: { amount: '1500000', symbol: 'USDT', decimals: 6 } })
  })

  it('a tampered or uncheckable symbol/decimals shows base units and a warning', async () => {
    const original = JSON.parse(readFileSync(join(dir, 'pay.unsigned.json'), 'utf8')) as { summary: Record<string, unknown> }
    const write = (name: string, summary: Record<string, unknown>) =>
      writeFileSync(join(dir, name), JSON.stringify({ ...original, summary: { ...original.summary, ...summary } }))
    write('symbol.json', { symbol: 'USDC' })
    write('decimals.json', { decimals: 2 })
    const [symbol, decimals, bare] = await Promise.all([
      offline(['sign-tx', 'symbol.json'], { input: 'n\n' }),
      offline(['sign-tx', 'decimals.json'], { input: 'n\n' }),
      run(['--config', 'offline-bare.json', 'sign-tx', 'pay.unsigned.json'], { input: 'n\n' }),
    ])
    for (const result of [symbol, decimals, bare]) {
      expect(result.code, result.stderr).toBe(130)
      expect(result.stderr).toContain(`Sign:   7000000 base units of ${USDT_ID} to`)
      expect(result.stderr).not.toMatch(/7 USDT|70000 USDT/)
    }
    expect(symbol.stderr).toMatch(
      /warning: symbol\.json says the asset has symbol "USDC" and 6 decimals, but this machine's config lists .* as USDT with 6 decimals/,
    )
    expect(decimals.stderr).toMatch(
      /warning: decimals\.json says the asset has symbol "USDT" and 2 decimals, but .* as USDT with 6 decimals/,
    )
    expect(bare.stderr).toMatch(
      /warning: pay\.unsigned\.json says the asset has symbol "USDT" and 6 decimals, but this machine's config lists no asset/,
    )
  })

  it('a lost answer exits 9 and prints the hash (it was on its way); broadcasting the same file again settles it', async () => {
    const recipient = fresh()
    const hash = await buildAndSign('lost', '2', recipient)
    proxy.behaviour.fault = (call) =>
      call.method === 'eth_sendRawTransaction'
        ? { kind: 'accept-then-status', status: 500 }
        : call.method === 'eth_getTransactionByHash'
          ? { kind: 'accept-then-status', status: 502 }
          : undefined
    let lost: RunResult
    try {
      lost = await run(['broadcast', 'lost.signed.json'])
    } finally {
      proxy.behaviour.fault = undefined
    }
    expect(lost.code, lost.stderr).toBe(9)
    expect(lost.stdout.trim()).toBe(`Maybe sent: ${hash}`)
    expect(lost.stderr).toMatch(/^error: .*may be on its way/m)
    expect(lost.stderr).toContain('coffer broadcast lost.signed.json" again')
    // The node had taken it: the tokens moved.
    expect(await usdtOf(recipient)).toBe(2_000_000n)

    const again = await run(['broadcast', 'lost.signed.json', '--json'])
    expect(again.code, again.stderr).toBe(0)
    expect(json(again)).toMatchObject({ hash, state: 'sent', journaled: true, status: { state: 'confirmed' } })
    expect(await usdtOf(recipient)).toBe(2_000_000n)
    const entries = await journalOf(hash)
    expect(entries.map((e) => e.status)).toEqual(['signed', 'unknown', 'sent'])
    expect(new Set(entries.map((e) => e.payment)).size).toBe(1)
  })

  it('send with a lost answer exits 9 and prints "Maybe sent" with the hash; the payment stays counted', async () => {
    const recipient = fresh()
    proxy.behaviour.fault = (call) =>
      call.method === 'eth_sendRawTransaction'
        ? { kind: 'accept-then-status', status: 500 }
        : call.method === 'eth_getTransactionByHash'
          ? { kind: 'accept-then-status', status: 502 }
          : undefined
    let lost: RunResult
    try {
      lost = await run(['send', 'local', 'USDT', '3', recipient, '--yes', '--no-wait'])
    } finally {
      proxy.behaviour.fault = undefined
    }
    expect(lost.code, lost.stderr).toBe(9)
    const hash = /^Maybe sent: (0x[0-9a-f]{64})$/m.exec(lost.stdout)?.[1]
    expect(hash, lost.stdout).toBeDefined()
    expect(lost.stderr).toMatch(/do not pay again/)
    expect(await usdtOf(recipient)).toBe(3_000_000n)
    expect((await journalOf(hash as string)).map((e) => e.status)).toEqual(['signed', 'unknown'])
  })

  it('a refusal by the node exits 8 (not 9), moves nothing and is journaled as rejected', async () => {
    const recipient = fresh()
    const hash = await buildAndSign('refused', '1', recipient)
    proxy.behaviour.fault = (call) =>
      call.method === 'eth_sendRawTransaction' ? { kind: 'refuse', error: { code: -32000, message: 'transaction underpriced' } } : undefined
    let refused: RunResult
    try {
      refused = await run(['broadcast', 'refused.signed.json', '--json'])
    } finally {
      proxy.behaviour.fault = undefined
    }
    expect(refused.code, refused.stderr).toBe(8)
    expect(json(refused)).toEqual({
      error: {
        code: 'TRANSACTION_REJECTED',
        message: expect.stringMatching(/refused the transaction: transaction underpriced/),
        exitCode: 8,
      },
    })
    expect(await usdtOf(recipient)).toBe(0n)
    expect((await journalOf(hash)).map((e) => e.status)).toEqual(['signed', 'rejected'])
  })

  it('broadcast without a wallet sends and says it is not journaled; a file that is not a signed transaction exits 2', async () => {
    const recipient = fresh()
    const hash = await buildAndSign('plain', '1', recipient)
    const [sent, bad] = await Promise.all([
      run(['--vault', 'watch-only/none', 'broadcast', 'plain.signed.json', '--no-wait']),
      run(['broadcast', 'plain.unsigned.json']),
    ])
    expect(sent.code, sent.stderr).toBe(0)
    expect(sent.stdout).toContain(`Sent: ${hash}`)
    expect(sent.stdout).toContain('Status: sent (not waiting for confirmation)')
    expect(sent.stderr).toMatch(/this broadcast is not journaled/)
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/^error: plain\.unsigned\.json is not a signed transaction/m)
  })
})

describe('coffer build-tx → sign-tx → broadcast on Bitcoin', () => {
  let server: EsploraServer
  let btcDir: string
  const recipient = vectors.bip84.addresses[1]!.address
  const btc = (args: string[], options: Partial<RunOptions> = {}) =>
    coffer(args, { cwd: btcDir, env: { COFFER_PASSWORD: PASSWORD }, ...options })

  beforeAll(async () => {
    server = await startEsplora({ network: 'mainnet' })
    btcDir = mkdtempSync(join(tmpdir(), 'coffer-offline-btc-'))
    const chain = (esploraUrl: string) => ({ chains: [{ name: 'btc', bitcoin: { network: 'mainnet', esploraUrl } }] })
    writeFileSync(join(btcDir, 'coffer.config.json'), JSON.stringify(chain(server.url)))
    writeFileSync(join(btcDir, 'offline.json'), JSON.stringify(chain('http://127.0.0.1:9')))
    const created = await btc(['init'])
    expect(created.code, created.stderr).toBe(0)
  }, 60_000)

  afterAll(async () => {
    await server?.stop()
    if (btcDir) rmSync(btcDir, { recursive: true, force: true })
  })

  it('pays 0.0002 BTC: the summary carries BTC and 8 decimals, the offline prompt shows them', async () => {
    const receive = await btc(['address', 'btc', '--json'])
    expect(receive.code, receive.stderr).toBe(0)
    await server.fund(json<{ address: string }>(receive).address, 100_000n)
    server.mine()

    const built = await btc(['build-tx', 'btc', 'BTC', '0.0002', recipient, '--out', 'btc.unsigned.json'])
    expect(built.code, built.stderr).toBe(0)
    const unsigned = JSON.parse(readFileSync(join(btcDir, 'btc.unsigned.json'), 'utf8')) as {
      kind: string
      summary: Record<string, unknown>
    }
    expect(unsigned).toMatchObject({ kind: 'bitcoin-psbt', summary: { to: recipient, amount: '20000', symbol: 'BTC', decimals: 8 } })

    const signed = await btc(['--config', 'offline.json', 'sign-tx', 'btc.unsigned.json', '--out', 'btc.signed.json'], { input: 'y\n' })
    expect(signed.code, signed.stderr).toBe(0)
    expect(signed.stderr).toContain(`Sign:   0.0002 BTC to ${recipient}`)
    expect(signed.stderr).not.toMatch(/warning:/)

    const sent = await btc(['broadcast', 'btc.signed.json', '--no-wait'])
    expect(sent.code, sent.stderr).toBe(0)
    const { hash } = JSON.parse(readFileSync(join(btcDir, 'btc.signed.json'), 'utf8')) as { hash: string }
    expect(sent.stdout).toContain(`Sent: ${hash}`)
    expect(server.utxos(recipient).reduce((sum, u) => sum + u.value, 0n)).toBe(20_000n)
  })
})
