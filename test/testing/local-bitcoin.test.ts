/**
 * coffer/testing's startLocalBitcoin: a transaction made by coffer's Bitcoin adapter is paid,
 * checked (a tampered signature is refused) and confirmed; funding, mining and fee estimates
 * work; bad calls and missing peer dependencies are refused with typed errors.
 */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { Transaction } from 'bitcoinjs-lib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bitcoin, BITCOIN_CHAINS } from 'coffer/bitcoin'
import { deriveAccounts, mnemonicToSeed } from 'coffer/keys'
import { CofferError, startLocalBitcoin, type LocalBitcoin } from 'coffer/testing'
import { Vault, memoryStorage } from 'coffer/vault'

const ABANDON = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'
const BTC = BITCOIN_CHAINS.regtest.nativeAsset
const run = promisify(execFile)
const ROOT = fileURLToPath(new URL('../..', import.meta.url))

async function esplora(node: LocalBitcoin, path: string, init?: RequestInit): Promise<{ status: number; text: string }> {
  const res = await fetch(`${node.esploraUrl}${path}`, init)
  return { status: res.status, text: await res.text() }
}

async function failure(promise: Promise<unknown> | (() => unknown)): Promise<CofferError> {
  try {
    await (typeof promise === 'function' ? promise() : promise)
  } catch (error) {
    expect(error).toBeInstanceOf(CofferError)
    return error as CofferError
  }
  throw new Error('expected a failure')
}

describe('startLocalBitcoin() with coffer’s Bitcoin adapter', () => {
  let node: LocalBitcoin
  let vault: Vault
  let secretId: string
  let recipient: string
  beforeAll(async () => {
    node = await startLocalBitcoin()
    vault = await Vault.create({ storage: memoryStorage(), password: 'test', kdf: { name: 'pbkdf2-sha256', iterations: 600_000 } })
    secretId = (await vault.addMnemonic({ mnemonic: ABANDON })).id
    const seed = await mnemonicToSeed(ABANDON)
    recipient = deriveAccounts(seed, { chain: 'bitcoin', network: 'regtest', account: 7, count: 1 })[0]!.address
  })
  afterAll(async () => {
    vault.lock()
    await node.stop()
  })

  it('serves Esplora on loopback as regtest', async () => {
    expect(node.esploraUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(node.network).toBe('regtest')
    expect(node.chainId).toBe('bip122:0f9188f13cb7b2c71f2a335e3a4fc328')
    expect(node.nativeAsset).toBe(BTC)
    expect(await esplora(node, '/blocks/tip/height')).toEqual({ status: 200, text: '100' })
    expect(node.tip().height).toBe(100)
  })

  it.each(['p2wpkh', 'p2tr'] as const)(
    '%s: pays a transfer the adapter signed, then confirms it when a block is mined',
    async (addressType) => {
      const account = await vault.getAccountSigner({ secretId, chain: 'bitcoin', network: 'regtest', addressType })
      const btc = bitcoin({ network: 'regtest', esploraUrl: node.esploraUrl })
      await node.fund(account.child(0, 0).address, '0.01')
      await node.fund(account.child(0, 1).address, 250_000n)
      expect((await btc.discoverAccount(account.descriptor)).balance).toEqual({ confirmed: 1_250_000n, unconfirmed: 0n })

      const before = node.utxos(recipient).length
      const quote = await btc.quoteTransfer({ from: account.descriptor, to: recipient, asset: BTC, amount: 400_000n })
      const txid = await btc.sendTransfer(quote, account)
      expect(node.broadcasts().at(-1)).toEqual({ txid, accepted: true })
      expect(await btc.getTransaction(txid)).toMatchObject({ state: 'pending' })
      const paid = node.utxos(recipient).slice(before)
      expect(paid).toEqual([expect.objectContaining({ txid, value: 400_000n, address: recipient, height: null })])

      const tip = node.tip().height
      const [hash] = await node.mine()
      expect(node.tip()).toEqual({ height: tip + 1, hash })
      expect(await btc.waitForTransaction(txid)).toMatchObject({ state: 'confirmed', confirmations: 1, blockHeight: tip + 1 })
      expect(node.utxos(recipient).find((u) => u.txid === txid)?.height).toBe(tip + 1)
    },
  )

  it('checks every signature: a transfer with one flipped signature bit is refused, the genuine one accepted', async () => {
    const signer = await vault.getSigner({ secretId, chain: 'bitcoin', network: 'regtest', addressType: 'p2wpkh', index: 9 })
    const btc = bitcoin({ network: 'regtest', esploraUrl: node.esploraUrl })
    await node.fund(signer.address, 100_000n)
    const signed = await btc.signTransaction(
      await btc.buildTransfer(await btc.quoteTransfer({ from: signer.address, to: recipient, asset: BTC, amount: 30_000n })),
      signer,
    )
    const tampered = Transaction.fromHex(signed.raw)
    tampered.ins[0]!.witness[0]![20]! ^= 1
    const refused = await esplora(node, '/tx', { method: 'POST', body: tampered.toHex() })
    expect(refused.status).toBe(400)
    expect(refused.text).toMatch(
      /^sendrawtransaction RPC error: \{"code":-26,"message":"mandatory-script-verify-flag-failed \(Signature must be zero for failed CHECK\(MULTI\)SIG operation/,
    )
    expect(node.broadcasts().at(-1)).toEqual({
      txid: tampered.getId(),
      accepted: false,
      reason: expect.stringMatching(/^mandatory-script-verify-flag-failed/),
    })
    expect(await btc.broadcast(signed)).toBe(signed.hash)
    expect(node.broadcasts().at(-1)).toEqual({ txid: signed.hash, accepted: true })
  })

  it('funds into the mempool when asked; mining confirms it', async () => {
    const address = (await vault.getSigner({ secretId, chain: 'bitcoin', network: 'regtest', addressType: 'p2wpkh', index: 12 })).address
    const { txid, vout } = await node.fund(address, '0.5', { confirmed: false })
    expect(vout).toBe(0)
    expect(node.utxos(address)).toEqual([expect.objectContaining({ txid, value: 50_000_000n, height: null })])
    const [balance] = await bitcoin({ network: 'regtest', esploraUrl: node.esploraUrl }).getBalances({ addresses: [address] })
    expect(balance).toMatchObject({ ok: true, amount: 50_000_000n, pending: 50_000_000n })
    await node.mine(3)
    expect(node.utxos(address)[0]?.height).toBe(node.tip().height - 2)
  })

  it('serves the fee estimates it is given, and the adapter quotes with them', async () => {
    node.setFeeEstimates({ '1': 42, '3': 21, '6': 7, '144': 2 })
    expect(JSON.parse((await esplora(node, '/fee-estimates')).text)).toEqual({ '1': 42, '3': 21, '6': 7, '144': 2 })
    const signer = await vault.getSigner({ secretId, chain: 'bitcoin', network: 'regtest', addressType: 'p2wpkh', index: 14 })
    await node.fund(signer.address, 100_000n)
    const quote = await bitcoin({ network: 'regtest', esploraUrl: node.esploraUrl }).quoteTransfer({
      from: signer.address,
      to: recipient,
      asset: BTC,
      amount: 10_000n,
      feeLevel: 'fast',
    })
    expect(quote.fee.details?.feeRate).toBe('42')
  })

  const bad: [string, () => unknown, string, RegExp][] = [
    [
      'a mainnet address',
      () => node.fund('bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu', '1'),
      'INVALID_ADDRESS',
      /is not a Bitcoin regtest address/,
    ],
    ['a JS number of BTC', () => node.fund(recipient, 0.5 as never), 'INVALID_AMOUNT', /not a number .*write "0\.5"/],
    ['more than 8 decimals', () => node.fund(recipient, '0.000000001'), 'INVALID_AMOUNT', /more than 8 decimal places/],
    ['more bitcoin than there is', () => node.fund(recipient, '21000001'), 'INVALID_AMOUNT', /too large/],
    ['nothing', () => node.fund(recipient, 0n), 'INVALID_ARGUMENT', /amount must be more than 0/],
    ['mining 0 blocks', () => node.mine(0), 'INVALID_ARGUMENT', /blocks must be an integer from 1/],
    [
      'a fee target of 0 blocks',
      () => node.setFeeEstimates({ '0': 1 }),
      'INVALID_ARGUMENT',
      /targets are block counts from 1 to 9999, got "0"/,
    ],
    [
      'a negative fee rate',
      () => node.setFeeEstimates({ '2': -1 }),
      'INVALID_ARGUMENT',
      /the rate for 2 blocks must be a positive number of sat\/vB, got -1/,
    ],
  ]
  for (const [what, call, code, message] of bad) {
    it(`refuses ${what} (${code})`, async () => {
      const utxos = node.utxos().length
      const error = await failure(call)
      expect(error.code).toBe(code)
      expect(error.shortMessage).toMatch(message)
      expect(node.utxos()).toHaveLength(utxos)
    })
  }
})

describe('startLocalBitcoin() lifecycle and peer dependencies', () => {
  it('stops for good: the port is closed, later calls fail with RpcError, a second stop is fine', async () => {
    const node = await startLocalBitcoin({ startHeight: 5, minRelayFeeRate: 2 })
    expect(node.tip().height).toBe(5)
    await node.stop()
    await expect(fetch(`${node.esploraUrl}/blocks/tip/height`)).rejects.toThrow()
    expect((await failure(node.fund('bcrt1q6rz28mcfaxtmd6v789l9rrlrusdprr9pz3cppk', '1'))).name).toBe('RpcError')
    expect((await failure(node.mine())).shortMessage).toMatch(/was stopped; start another with startLocalBitcoin\(\)/)
    await node.stop()
  })

  it.each(['bitcoinjs-lib', 'tiny-secp256k1'])('without %s installed: NotSupportedError saying what to install', async (hidden) => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', '--import', './test/testing/hide-package.mjs', 'test/testing/bitcoin-child.ts'],
      { cwd: ROOT, env: { ...process.env, HIDE: hidden }, timeout: 30_000 },
    )
    expect(JSON.parse(stdout)).toEqual({
      name: 'NotSupportedError',
      code: 'NOT_SUPPORTED',
      shortMessage: `startLocalBitcoin needs the optional peer dependencies bitcoinjs-lib and tiny-secp256k1, and ${hidden} is not installed: \`npm install --save-dev bitcoinjs-lib@7 tiny-secp256k1@2\`.`,
      details: { package: hidden },
    })
  })
})
