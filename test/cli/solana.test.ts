/**
 * The `coffer` command on Solana, end to end against a local cluster (coffer/testing's
 * startLocalSolana: Agave's JSON-RPC over litesvm, slots advancing on a timer): `address`
 * (the vault's m/44'/501'/0'/0' key), `balance` (SOL and USDC), `send` (USDC moves on chain),
 * `pay` of a Solana Pay URI read as the local cluster with `--chain` (its memo and reference land),
 * and offline signing (`build-tx` → `sign-tx` → `broadcast`), with a recent blockhash and with a
 * durable nonce. A child process per command; the tests run in order and share one wallet.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deriveAccount, mnemonicToSeed } from 'coffer/keys'
import { solana, type SolanaAdapter } from 'coffer/solana'
import { startLocalSolana, type LocalSolana } from 'coffer/testing'
import { Vault, memoryStorage } from 'coffer/vault'
import { cliBundle, coffer, json, type RunOptions, type RunResult } from './helpers.js'
import { decodeTerminalQr } from './qr-decode.js'

const PASSWORD = 'solana cli password'
const MNEMONIC = 'legal winner thank year wave sausage worth useful legal winner thank yellow'

let local: LocalSolana
let adapter: SolanaAdapter
let dir: string
let address: string
let usdc: string
let seed: Uint8Array

const run = (args: string[], options: Partial<RunOptions> = {}): Promise<RunResult> =>
  coffer(args, { cwd: dir, env: { COFFER_PASSWORD: PASSWORD }, ...options })

/** A fresh recipient: a key nobody holds. */
let nextRecipient = 100
const fresh = (): string => deriveAccount(seed, { chain: 'solana', index: nextRecipient++ }).address

beforeAll(async () => {
  seed = await mnemonicToSeed(MNEMONIC)
  ;[local] = await Promise.all([startLocalSolana({ tokens: ['USDC'], slotMs: 50 }), cliBundle()])
  adapter = solana({ chain: local.chainId as `solana:${string}`, rpcUrls: [local.rpcUrl], tokens: local.adapterTokens })
  usdc = local.adapterTokens.find((t) => t.symbol === 'USDC')!.mint
  dir = mkdtempSync(join(tmpdir(), 'coffer-cli-solana-'))
  const entry = (url: string) => ({ name: 'local', chain: local.chainId, rpcUrls: [url], tokens: [...local.adapterTokens] })
  writeFileSync(join(dir, 'coffer.config.json'), JSON.stringify({ chains: [entry(local.rpcUrl)] }))
  // The offline machine: the same chain, and an RPC URL where nothing listens.
  writeFileSync(join(dir, 'offline.json'), JSON.stringify({ chains: [entry('http://127.0.0.1:9')] }))
  writeFileSync(join(dir, 'words'), `${MNEMONIC}\n`)
  const init = await run(['init', '--mnemonic-file', 'words', '--json'])
  expect(init.code, init.stderr).toBe(0)
}, 60_000)

afterAll(async () => {
  await local?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('coffer on a local Solana cluster', () => {
  it("address: the vault key at m/44'/501'/0'/0'", async () => {
    const expected = deriveAccount(seed, { chain: 'solana', index: 0 })
    const shown = await run(['address', 'local', '--json'])
    expect(shown.code, shown.stderr).toBe(0)
    expect(json(shown)).toMatchObject({ chainId: local.chainId, index: 0, address: expected.address })
    address = expected.address
  })

  it('address by network name, and --qr: a plain address code where Solana Pay cannot name the cluster', async () => {
    const expected = deriveAccount(seed, { chain: 'solana', index: 0 }).address
    const [named, devnet, qr, main] = await Promise.all([
      run(['address', 'solana', '--json']),
      run(['address', 'devnet', '--index', '1', '--json']),
      run(['address', 'local', '--qr']),
      run(['address', 'mainnet-beta', '--qr', '--json']),
    ])
    expect(named.code, named.stderr).toBe(0)
    expect(json(named)).toMatchObject({
      chainId: 'solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp',
      index: 0,
      address: expected,
      path: "m/44'/501'/0'/0'",
    })
    expect(devnet.code, devnet.stderr).toBe(0)
    expect(json(devnet)).toMatchObject({
      chainId: 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1',
      index: 1,
      address: deriveAccount(seed, { chain: 'solana', index: 1 }).address,
    })
    expect(qr.code, qr.stderr).toBe(0)
    const lines = qr.stdout.trimEnd().split('\n')
    expect(lines[0]).toBe(expected)
    expect(decodeTerminalQr(lines)).toBe(expected)
    expect(qr.stderr).toMatch(/QR code holds the bare address/)
    const shared = await run(['address', 'testnet'])
    expect(shared.code).toBe(2)
    expect(shared.stderr).toMatch(/"testnet" names more than one network: bip122:\S+ \(Bitcoin testnet\), solana:\S+ \(Solana testnet\)/)
    expect(main.code, main.stderr).toBe(0)
    const doc = json<{ qr: string; uri: string }>(main)
    expect(doc.uri).toBe(`solana:${expected}`)
    expect(decodeTerminalQr(doc.qr.split('\n'))).toBe(`solana:${expected}`)
  })

  it('balance: SOL and USDC after funding', async () => {
    await local.fund(address, { SOL: '1', USDC: '100' })
    const shown = await run(['balance', '--json'])
    expect(shown.code, shown.stderr).toBe(0)
    const balances = json<{ balances: { asset: string; symbol: string; amount: string; account: string }[] }>(shown).balances
    expect(balances).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ account: address, asset: `${local.chainId}/slip44:501`, symbol: 'SOL', amount: '1000000000' }),
        expect.objectContaining({ account: address, asset: `${local.chainId}/token:${usdc}`, symbol: 'USDC', amount: '100000000' }),
      ]),
    )
    const table = await run(['balance'])
    expect(table.code, table.stderr).toBe(0)
    expect(table.stdout).toMatch(/local .* SOL .* 1\b/)
    expect(table.stdout).toMatch(/local .* USDC .* 100\b/)
  })

  it('send USDC 12.5: the tokens move on chain', async () => {
    const to = fresh()
    const sent = await run(['send', 'local', 'USDC', '12.5', to], { input: 'y\n' })
    expect(sent.code, sent.stderr).toBe(0)
    expect(sent.stdout).toMatch(/Status: confirmed/)
    expect(local.tokenBalanceOf(to, 'USDC')).toBe(12_500_000n)
    expect(local.tokenBalanceOf(address, 'USDC')).toBe(87_500_000n)
  })

  it('pay a Solana Pay URI read as the local cluster (--chain): its memo and reference land', async () => {
    const to = fresh()
    const reference = fresh()
    const uri = `solana:${to}?amount=2.5&spl-token=${usdc}&reference=${reference}&label=Coffee%20shop&memo=order-42`
    const paid = await run(['pay', uri, '--chain', local.chainId, '--json'], { input: 'y\n' })
    expect(paid.code, paid.stderr).toBe(0)
    expect(json(paid)).toMatchObject({ uri: { scheme: 'solana', label: 'Coffee shop' }, status: { state: 'confirmed' } })
    expect(local.tokenBalanceOf(to, 'USDC')).toBe(2_500_000n)
    const found = await adapter.findPayment(reference, {
      to,
      amount: 2_500_000n,
      asset: `${local.chainId as `solana:${string}`}/token:${usdc}`,
      memo: 'order-42',
    })
    expect(found).toMatchObject({ hash: json<{ hash: string }>(paid).hash })
  })

  it('pay --chain is only for URIs that name no network', async () => {
    const evm = await run(['pay', `ethereum:0x${'1'.repeat(40)}@137?value=1e15`, '--chain', local.chainId])
    expect(evm.code, evm.stderr).toBe(2)
    expect(evm.stderr).toMatch(/this ethereum: URI names its own chain, eip155:137/)
    const bad = await run(['pay', `solana:${address}?amount=1`, '--chain', 'devnet'])
    expect(bad.code, bad.stderr).toBe(2)
    expect(bad.stderr).toMatch(/--chain takes a CAIP-2 id/)
  })

  it('build-tx → sign-tx (no network) → broadcast', async () => {
    const to = fresh()
    const built = await run(['build-tx', 'local', 'USDC', '3', to, '--out', 'pay.unsigned.json'])
    expect(built.code, built.stderr).toBe(0)
    expect(built.stderr).toMatch(/Send: +3 USDC/)
    const signed = await run(['--config', 'offline.json', 'sign-tx', 'pay.unsigned.json', '--out', 'pay.signed.json'], { input: 'y\n' })
    expect(signed.code, signed.stderr).toBe(0)
    expect(signed.stderr).toContain(`Sign:   3 USDC to ${to}`)
    const doc = JSON.parse(readFileSync(join(dir, 'pay.signed.json'), 'utf8')) as { hash: string; from: string }
    expect(doc.from).toBe(address)
    const sent = await run(['broadcast', 'pay.signed.json'])
    expect(sent.code, sent.stderr).toBe(0)
    expect(sent.stdout).toContain(`Sent: ${doc.hash}`)
    expect(sent.stdout).toMatch(/Status: confirmed/)
    expect(local.tokenBalanceOf(to, 'USDC')).toBe(3_000_000n)
  })

  it('build-tx --durable-nonce: still good after the blockhash of a plain build expired', async () => {
    // The nonce account, made through the library (the sender is its authority).
    const vault = await Vault.create({ storage: memoryStorage(), password: 'x', kdf: { name: 'pbkdf2-sha256', iterations: 600_000 } })
    const { id } = await vault.addMnemonic({ mnemonic: MNEMONIC })
    const made = await adapter.createNonceAccount(await vault.getSigner({ secretId: id, chain: 'solana', index: 0 }))
    await adapter.waitForTransaction(made.hash)
    vault.lock()

    const [late, durable] = [fresh(), fresh()]
    const plain = await run(['build-tx', 'local', 'USDC', '1', late, '--out', 'late.unsigned.json'])
    expect(plain.code, plain.stderr).toBe(0)
    expect(plain.stderr).toMatch(/about 150 slots/)
    const built = await run(['build-tx', 'local', 'USDC', '4', durable, '--durable-nonce', made.address, '--out', 'nonce.unsigned.json'])
    expect(built.code, built.stderr).toBe(0)
    expect(built.stderr).toContain(`Built on the durable nonce of ${made.address}`)
    const unsigned = JSON.parse(readFileSync(join(dir, 'nonce.unsigned.json'), 'utf8')) as { payload: { lifetime: { kind: string } } }
    expect(unsigned.payload.lifetime).toMatchObject({ kind: 'nonce', nonceAccount: made.address })

    await local.mine(200) // the long walk to the offline machine: the recent blockhash expires
    for (const name of ['late', 'nonce']) {
      const signed = await run(['--config', 'offline.json', 'sign-tx', `${name}.unsigned.json`, '--out', `${name}.signed.json`], {
        input: 'y\n',
      })
      expect(signed.code, signed.stderr).toBe(0)
    }
    const refused = await run(['broadcast', 'late.signed.json'])
    expect(refused.code, refused.stderr).toBe(8)
    const sent = await run(['broadcast', 'nonce.signed.json'])
    expect(sent.code, sent.stderr).toBe(0)
    expect(sent.stdout).toMatch(/Status: confirmed/)
    expect(local.tokenBalanceOf(durable, 'USDC')).toBe(4_000_000n)
    expect(local.tokenBalanceOf(late, 'USDC')).toBe(0n)
  })

  it('build-tx --durable-nonce on a chain of another family: exit 2', async () => {
    const result = await run([
      '--rpc',
      'eip155:31337=http://127.0.0.1:9',
      'build-tx',
      'eip155:31337',
      'ETH',
      '1',
      `0x${'1'.repeat(40)}`,
      '--durable-nonce',
      address,
    ])
    expect(result.code, result.stderr).toBe(2)
    expect(result.stderr).toMatch(/--durable-nonce applies to Solana chains only/)
  })
})
