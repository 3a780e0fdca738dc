/**
 * The `coffer` command on TRON, end to end against a local chain (coffer/testing's
 * startLocalTron: TronGrid's HTTP API over a ledger of its own, USDT on its own anvil, a block
 * every 2 seconds — chain time runs 3 s a block, faster than the wall clock): `address` (the vault's
 * m/44'/195'/0'/0/0 key, checked with tronweb; TRON's networks by name: `tron`, `tron-mainnet`,
 * `nile`, while `mainnet` stays Bitcoin's), `balance` (TRX and USDT), `send` (USDT moves on chain),
 * `pay` of a `tron:` URI read as the local chain with `--chain`, and offline signing (`build-tx` →
 * `sign-tx` → `broadcast`), with the default 60 s lifetime and with `--expires-in`. A child
 * process per command; the tests run in order and share one wallet.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TronWeb } from 'tronweb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deriveAccount, mnemonicToSeed } from 'coffer/keys'
import { TRON_NETWORKS } from 'coffer/tron'
import { startLocalTron, type LocalTron } from 'coffer/testing'
import { cliBundle, coffer, json, type RunOptions, type RunResult } from './helpers.js'
import { decodeTerminalQr } from './qr-decode.js'

const PASSWORD = 'tron cli password'
const MNEMONIC = 'legal winner thank year wave sausage worth useful legal winner thank yellow'
const BITCOIN_MAINNET = 'bip122:000000000019d6689c085ae165831e93'

let local: LocalTron
let dir: string
let address: string
let usdt: string
let seed: Uint8Array

const run = (args: string[], options: Partial<RunOptions> = {}): Promise<RunResult> =>
  coffer(args, { cwd: dir, env: { COFFER_PASSWORD: PASSWORD }, ...options })

/** A fresh recipient: a key nobody holds. */
let nextRecipient = 100
const fresh = (): string => deriveAccount(seed, { chain: 'tron', index: nextRecipient++ }).address

beforeAll(async () => {
  seed = await mnemonicToSeed(MNEMONIC)
  ;[local] = await Promise.all([startLocalTron({ tokens: ['USDT'], blockMs: 2_000 }), cliBundle()])
  usdt = local.adapterTokens.find((t) => t.symbol === 'USDT')!.address
  dir = mkdtempSync(join(tmpdir(), 'coffer-cli-tron-'))
  const entry = (url: string) => ({ name: 'local', chain: local.chainId, apiUrls: [url], tokens: [...local.adapterTokens] })
  writeFileSync(join(dir, 'coffer.config.json'), JSON.stringify({ chains: [entry(local.apiUrl)] }))
  // The offline machine: the same chain, and an API URL where nothing listens.
  writeFileSync(join(dir, 'offline.json'), JSON.stringify({ chains: [entry('http://127.0.0.1:9')] }))
  writeFileSync(join(dir, 'words'), `${MNEMONIC}\n`)
  const init = await run(['init', '--mnemonic-file', 'words', '--json'])
  expect(init.code, init.stderr).toBe(0)
}, 120_000)

afterAll(async () => {
  await local?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

// A child process per command: slow on a busy machine.
describe('coffer on a local TRON chain', { timeout: 120_000 }, () => {
  it("address: the vault key at m/44'/195'/0'/0/0, as tronweb derives it", async () => {
    const expected = TronWeb.fromMnemonic(MNEMONIC, "m/44'/195'/0'/0/0").address
    expect(deriveAccount(seed, { chain: 'tron', index: 0 }).address).toBe(expected)
    const shown = await run(['address', 'local', '--json'])
    expect(shown.code, shown.stderr).toBe(0)
    expect(json(shown)).toMatchObject({ chainId: local.chainId, index: 0, address: expected })
    address = expected
    const plain = await run(['address', local.chainId])
    expect(plain.code, plain.stderr).toBe(0)
    expect(plain.stdout).toBe(`${expected}\n`)
  })

  it('address by network name (tron, tron-mainnet, nile), --qr; `mainnet` is still Bitcoin’s', async () => {
    const expected = TronWeb.fromMnemonic(MNEMONIC, "m/44'/195'/0'/0/0").address
    const [named, main, nile, qr, mainQr, bitcoin] = await Promise.all([
      run(['address', 'tron', '--json']),
      run(['address', 'tron-mainnet', '--json']),
      run(['address', 'nile', '--index', '1', '--json']),
      run(['address', 'local', '--qr']),
      run(['address', 'tron', '--qr', '--json']),
      run(['address', 'mainnet', '--json']),
    ])
    expect(named.code, named.stderr).toBe(0)
    expect(json(named)).toMatchObject({
      chainId: TRON_NETWORKS.mainnet.chainId,
      index: 0,
      address: expected,
      path: "m/44'/195'/0'/0/0",
    })
    expect(main.code, main.stderr).toBe(0)
    expect(json(main)).toEqual(json(named))
    expect(nile.code, nile.stderr).toBe(0)
    expect(json(nile)).toMatchObject({
      chainId: TRON_NETWORKS.nile.chainId,
      index: 1,
      address: TronWeb.fromMnemonic(MNEMONIC, "m/44'/195'/0'/0/1").address,
      path: "m/44'/195'/0'/0/1",
    })
    // A `tron:` URI names no network: for the local chain the code holds the bare address.
    expect(qr.code, qr.stderr).toBe(0)
    const lines = qr.stdout.trimEnd().split('\n')
    expect(lines[0]).toBe(expected)
    expect(decodeTerminalQr(lines)).toBe(expected)
    expect(qr.stderr).toMatch(/QR code holds the bare address/)
    expect(mainQr.code, mainQr.stderr).toBe(0)
    const doc = json<{ qr: string; uri: string }>(mainQr)
    expect(doc.uri).toBe(`tron:${expected}`)
    expect(decodeTerminalQr(doc.qr.split('\n'))).toBe(`tron:${expected}`)
    // `mainnet` names Bitcoin's main network alone, as before TRON came (its first receive address).
    expect(bitcoin.code, bitcoin.stderr).toBe(0)
    expect(json(bitcoin)).toMatchObject({ chainId: BITCOIN_MAINNET, addressType: 'p2wpkh', path: "m/84'/0'/0'/0/0" })
    expect(json<{ address: string }>(bitcoin).address).toMatch(/^bc1q/)
    // Shasta by name too; a name no family has is refused.
    const shasta = await run(['address', 'shasta', '--json'])
    expect(shasta.code, shasta.stderr).toBe(0)
    expect(json(shasta)).toMatchObject({ chainId: TRON_NETWORKS.shasta.chainId, address: expected })
  })

  it('balance: TRX and USDT after funding', async () => {
    await local.fund(address, { TRX: '100', USDT: '100' })
    const shown = await run(['balance', '--json'])
    expect(shown.code, shown.stderr).toBe(0)
    const balances = json<{ balances: { asset: string; symbol: string; amount: string; account: string }[] }>(shown).balances
    expect(balances).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ account: address, asset: `${local.chainId}/slip44:195`, symbol: 'TRX', amount: '100000000' }),
        expect.objectContaining({ account: address, asset: `${local.chainId}/trc20:${usdt}`, symbol: 'USDT', amount: '100000000' }),
      ]),
    )
    const table = await run(['balance'])
    expect(table.code, table.stderr).toBe(0)
    expect(table.stdout).toMatch(/local .* TRX .* 100\b/)
    expect(table.stdout).toMatch(/local .* USDT .* 100\b/)
  })

  it('send USDT 12.5: the tokens move on chain; the TRON_PRO_API_KEY never shows', async () => {
    const to = fresh()
    const key = 'c0ffee00-aaaa-bbbb-cccc-0123456789ab'
    const sent = await run(['send', 'local', 'USDT', '12.5', to], {
      input: 'y\n',
      env: { COFFER_PASSWORD: PASSWORD, TRON_PRO_API_KEY: key },
    })
    expect(sent.code, sent.stderr).toBe(0)
    expect(sent.stdout).toMatch(/Status: confirmed/)
    expect(sent.stdout + sent.stderr).not.toContain(key)
    expect(await local.tokenBalanceOf(to, 'USDT')).toBe(12_500_000n)
    expect(await local.tokenBalanceOf(address, 'USDT')).toBe(87_500_000n)
  })

  it('TRON_PRO_API_KEY goes in the TRON-PRO-API-KEY header of every request, and nowhere else', async () => {
    // A forwarding proxy in front of the local chain that records the header of each request.
    const seen: (string | undefined)[] = []
    const proxy: Server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const key = req.headers['tron-pro-api-key']
        seen.push(Array.isArray(key) ? key.join(',') : key)
        const body = req.method === 'GET' ? undefined : Buffer.concat(chunks)
        fetch(`${local.apiUrl}${req.url}`, { method: req.method, body, headers: { 'content-type': 'application/json' } })
          .then(async (r) => res.writeHead(r.status, { 'content-type': 'application/json' }).end(await r.text()))
          .catch(() => res.writeHead(502).end())
      })
    })
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
    try {
      const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`
      const key = 'c0ffee00-aaaa-bbbb-cccc-0123456789ab'
      const keyed = await run(['--rpc', `local=${url}`, 'balance', '--json'], { env: { COFFER_PASSWORD: PASSWORD, TRON_PRO_API_KEY: key } })
      expect(keyed.code, keyed.stderr).toBe(0)
      expect(seen.length).toBeGreaterThan(0)
      expect(new Set(seen)).toEqual(new Set([key]))
      expect(keyed.stdout + keyed.stderr).not.toContain(key)
      seen.length = 0
      const bare = await run(['--rpc', `local=${url}`, 'balance', '--json'])
      expect(bare.code, bare.stderr).toBe(0)
      expect(seen.length).toBeGreaterThan(0)
      expect(new Set(seen)).toEqual(new Set([undefined]))
    } finally {
      await new Promise((resolve) => proxy.close(resolve))
    }
  })

  it('--rpc tron:0x…=<url> adds a TRON chain from the command line (TRX; no tokens listed)', async () => {
    writeFileSync(join(dir, 'empty.json'), JSON.stringify({ chains: [] }))
    const shown = await run(['--config', 'empty.json', '--rpc', `${local.chainId}=${local.apiUrl}`, 'balance', '--json'])
    expect(shown.code, shown.stderr).toBe(0)
    const balances = json<{ balances: { asset: string; symbol: string; amount: string }[] }>(shown).balances
    expect(balances).toEqual([
      expect.objectContaining({ asset: `${local.chainId}/slip44:195`, symbol: 'TRX', amount: String(local.balanceOf(address)) }),
    ])
    const bad = await run(['--config', 'empty.json', '--rpc', 'tron:0x2b6653d=http://127.0.0.1:9', 'balance'])
    expect(bad.code, bad.stderr).toBe(2)
  })

  it('pay a tron: URI read as the local chain (--chain)', async () => {
    const to = fresh()
    const uri = `tron:${to}?amount=2.5&token=${usdt}&label=Coffee%20shop`
    // Without --chain it is a mainnet request, and no mainnet chain is configured.
    const unread = await run(['pay', uri])
    expect(unread.code, unread.stderr).toBe(2)
    expect(unread.stderr).toContain(TRON_NETWORKS.mainnet.chainId)
    const paid = await run(['pay', uri, '--chain', local.chainId, '--json'], { input: 'y\n' })
    expect(paid.code, paid.stderr).toBe(0)
    expect(json(paid)).toMatchObject({ uri: { scheme: 'tron', label: 'Coffee shop' }, status: { state: 'confirmed' } })
    expect(await local.tokenBalanceOf(to, 'USDT')).toBe(2_500_000n)
    // TRX: the amount is in TRX.
    const trxTo = fresh()
    const trx = await run(['pay', `tron:${trxTo}?amount=1.25`, '--chain', local.chainId], { input: 'y\n' })
    expect(trx.code, trx.stderr).toBe(0)
    expect(local.balanceOf(trxTo)).toBe(1_250_000n)
  })

  it('pay --chain takes a TRON chain for a tron: URI', async () => {
    const uri = `tron:${fresh()}?amount=1`
    const solana = await run(['pay', uri, '--chain', 'solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp'])
    expect(solana.code, solana.stderr).toBe(2)
    expect(solana.stderr).toMatch(/--chain solana:\S+ cannot be the network of this URI/)
    const bad = await run(['pay', uri, '--chain', 'nile'])
    expect(bad.code, bad.stderr).toBe(2)
    expect(bad.stderr).toMatch(/--chain takes a CAIP-2 id/)
    // A URI that names its chain takes no --chain, not even that same chain.
    const evm = await run(['pay', `ethereum:0x${'1'.repeat(40)}@137?value=1e15`, '--chain', 'eip155:137'])
    expect(evm.code, evm.stderr).toBe(2)
    expect(evm.stderr).toMatch(/--chain is for URIs that name no network \(solana:, tron:\); this ethereum: URI names its own chain/)
  })

  it('build-tx → sign-tx (no network) → broadcast, with the lifetime note', async () => {
    const to = fresh()
    const built = await run(['build-tx', 'local', 'USDT', '3', to, '--out', 'pay.unsigned.json'])
    expect(built.code, built.stderr).toBe(0)
    expect(built.stderr).toMatch(/Send: +3 USDT/)
    expect(built.stderr).toMatch(/Valid until \d{4}-\d\d-\d\dT\S+Z .*--expires-in <minutes>/)
    const unsigned = JSON.parse(readFileSync(join(dir, 'pay.unsigned.json'), 'utf8')) as { payload: { expiration: number } }
    // 60 s after the head block (chain time).
    expect(unsigned.payload.expiration - local.head().timestamp).toBeGreaterThan(30_000)
    expect(unsigned.payload.expiration - local.head().timestamp).toBeLessThanOrEqual(60_000)
    const signed = await run(['--config', 'offline.json', 'sign-tx', 'pay.unsigned.json', '--out', 'pay.signed.json'], { input: 'y\n' })
    expect(signed.code, signed.stderr).toBe(0)
    expect(signed.stderr).toContain(`Sign:   3 USDT to ${to}`)
    const doc = JSON.parse(readFileSync(join(dir, 'pay.signed.json'), 'utf8')) as { hash: string; from: string }
    expect(doc.from).toBe(address)
    const sent = await run(['broadcast', 'pay.signed.json'])
    expect(sent.code, sent.stderr).toBe(0)
    expect(sent.stdout).toContain(`Sent: ${doc.hash}`)
    expect(sent.stdout).toMatch(/Status: confirmed/)
    expect(await local.tokenBalanceOf(to, 'USDT')).toBe(3_000_000n)
  })

  it('build-tx --expires-in: still good after a plain build expired', async () => {
    const [late, patient] = [fresh(), fresh()]
    const plain = await run(['build-tx', 'local', 'USDT', '1', late, '--out', 'late.unsigned.json'])
    expect(plain.code, plain.stderr).toBe(0)
    const built = await run(['build-tx', 'local', 'USDT', '4', patient, '--expires-in', '30', '--out', 'long.unsigned.json'])
    expect(built.code, built.stderr).toBe(0)
    const unsigned = JSON.parse(readFileSync(join(dir, 'long.unsigned.json'), 'utf8')) as { payload: { expiration: number } }
    expect(built.stderr).toContain(`Valid until ${new Date(unsigned.payload.expiration).toISOString()}`)
    expect(unsigned.payload.expiration - local.head().timestamp).toBeGreaterThan(29 * 60_000)
    expect(unsigned.payload.expiration - local.head().timestamp).toBeLessThanOrEqual(30 * 60_000)

    await local.mine(30) // the long walk to the offline machine: 90 s of chain time, past the plain build's 60 s
    for (const name of ['late', 'long']) {
      const signed = await run(['--config', 'offline.json', 'sign-tx', `${name}.unsigned.json`, '--out', `${name}.signed.json`], {
        input: 'y\n',
      })
      expect(signed.code, signed.stderr).toBe(0)
    }
    const refused = await run(['broadcast', 'late.signed.json'])
    expect(refused.code, refused.stderr).toBe(8)
    const sent = await run(['broadcast', 'long.signed.json'])
    expect(sent.code, sent.stderr).toBe(0)
    expect(sent.stdout).toMatch(/Status: confirmed/)
    expect(await local.tokenBalanceOf(patient, 'USDT')).toBe(4_000_000n)
    expect(await local.tokenBalanceOf(late, 'USDT')).toBe(0n)
  })

  it('build-tx --expires-in: whole minutes from 1 to 1435, TRON chains only (exit 2)', async () => {
    for (const value of ['0', '1436', '1.5', 'ten']) {
      const result = await run(['build-tx', 'local', 'USDT', '1', fresh(), '--expires-in', value])
      expect(result.code, `${value}: ${result.stderr}`).toBe(2)
      expect(result.stderr).toMatch(/--expires-in takes whole minutes from 1 to 1435/)
    }
    const other = await run([
      '--rpc',
      'eip155:31337=http://127.0.0.1:9',
      'build-tx',
      'eip155:31337',
      'ETH',
      '1',
      `0x${'1'.repeat(40)}`,
      '--expires-in',
      '30',
    ])
    expect(other.code, other.stderr).toBe(2)
    expect(other.stderr).toMatch(/--expires-in applies to TRON chains only/)
    // And Solana's --durable-nonce is not a TRON option.
    const nonce = await run(['build-tx', 'local', 'USDT', '1', fresh(), '--durable-nonce', address])
    expect(nonce.code, nonce.stderr).toBe(2)
    expect(nonce.stderr).toMatch(/--durable-nonce applies to Solana chains only/)
  })
})
