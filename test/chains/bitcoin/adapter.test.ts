import { Transaction as BtcTransaction, Psbt, initEccLib } from 'bitcoinjs-lib'
import * as ecc from 'tiny-secp256k1'
import { HDKey } from '@scure/bip32'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { deriveAccounts, HDNode, mnemonicToSeed } from 'coffer/keys'
import { InsufficientFundsError, bitcoin, psbtFromBase64, psbtToBase64 } from 'coffer/bitcoin'
import { Address, OutScript, type Transaction as ScureTransaction } from '@scure/btc-signer'
import type { EsploraServer } from '../../support/esplora-server.js'
import bips from '../../vectors/bip-addresses.json'
import { ABANDON, measuredVsize, regtest, vaultWith } from './helpers.js'

initEccLib(ecc)
const BTC = 'bip122:0f9188f13cb7b2c71f2a335e3a4fc328/slip44:1'
let servers: EsploraServer[] = []
afterEach(async () => {
  await Promise.all(servers.map((s) => s.stop()))
  servers = []
})
async function setup() {
  const r = await regtest()
  servers.push(r.server)
  return r
}

let seed: Uint8Array
beforeAll(async () => {
  seed = await mnemonicToSeed(ABANDON)
})
const receive = (addressType: 'p2wpkh' | 'p2tr' | 'p2pkh' | 'p2sh-p2wpkh', start: number, count = 1, change: 0 | 1 = 0) =>
  deriveAccounts(seed, { chain: 'bitcoin', network: 'regtest', addressType, change, start, count }).map((a) => a.address)

describe('account signers match the BIP-84 and BIP-86 spec vectors', () => {
  it.each([
    ['p2wpkh', bips.bip84],
    ['p2tr', bips.bip86],
  ] as const)('%s', async (addressType, vector) => {
    const { vault, id } = await vaultWith()
    const account = await vault.getAccountSigner({ secretId: id, chain: 'bitcoin', addressType })
    expect(account.accountPath).toBe(vector.accountPath)
    expect(HDNode.fromExtendedKey(account.accountXpub).publicKey).toEqual(HDNode.fromExtendedKey(vector.accountXpub).publicKey)
    expect(account.masterFingerprint).toBe(HDKey.fromMasterSeed(seed).fingerprint)
    for (const a of vector.addresses) {
      const [change, index] = a.path.split('/').slice(-2).map(Number) as [0 | 1, number]
      expect(account.child(change, index).address).toBe(a.address)
    }
    expect(account.descriptor).toMatch(
      addressType === 'p2tr' ? /^tr\(\[73c5da0a\/86h\/0h\/0h\]xpub/ : /^wpkh\(\[73c5da0a\/84h\/0h\/0h\]xpub/,
    )
    expect(JSON.stringify(account)).toContain('[redacted]')
  })
})

describe('discovery', () => {
  it('finds used addresses across gaps shorter than the gap limit, and the next unused ones', async () => {
    const { server, adapter } = await setup()
    const { vault, id } = await vaultWith()
    const account = await vault.getAccountSigner({ secretId: id, chain: 'bitcoin', network: 'regtest' })
    for (const i of [0, 5, 22]) await server.fund(receive('p2wpkh', i)[0]!, 10_000n + BigInt(i))
    await server.fund(receive('p2wpkh', 2, 1, 1)[0]!, 7_000n, { confirmed: false })
    await server.fund(receive('p2wpkh', 45)[0]!, 1_000_000n) // beyond the gap: not found
    const state = await adapter.discoverAccount(account.descriptor)
    expect(state.used.map((u) => [u.change, u.index])).toEqual([
      [0, 0],
      [0, 5],
      [0, 22],
      [1, 2],
    ])
    expect(state.nextReceive.index).toBe(23)
    expect(state.nextReceive.address).toBe(receive('p2wpkh', 23)[0])
    expect(state.nextChange).toMatchObject({ index: 3, address: receive('p2wpkh', 3, 1, 1)[0] })
    expect(state.balance).toEqual({ confirmed: 30_027n, unconfirmed: 7_000n })
    expect(state.utxos).toHaveLength(4)
    // Watch-only: the same account from its xpub alone, no secret anywhere.
    const watch = await adapter.discoverAccount(adapter.account(account.accountXpub, { addressType: 'p2wpkh' }))
    expect(watch.balance).toEqual(state.balance)
    const wide = await adapter.discoverAccount(account.descriptor, { gapLimit: 30 })
    expect(wide.used.some((u) => u.index === 45)).toBe(true)
    const [balance] = await adapter.getBalances({ addresses: [account.descriptor] })
    expect(balance).toMatchObject({ ok: true, amount: 37_027n, pending: 7_000n, decimals: 8 })
  })
})

describe('spending', () => {
  it.each(['p2wpkh', 'p2tr', 'p2sh-p2wpkh', 'p2pkh'] as const)(
    '%s: the server (bitcoinjs-lib + libsecp256k1) accepts the signed spend; change goes to the change chain',
    async (addressType) => {
      const { server, adapter } = await setup()
      const { vault, id } = await vaultWith()
      const account = await vault.getAccountSigner({ secretId: id, chain: 'bitcoin', network: 'regtest', addressType })
      await server.fund(receive(addressType, 0)[0]!, 60_000n)
      await server.fund(receive(addressType, 1)[0]!, 50_000n)
      const to =
        receive('p2wpkh', 0, 1)[0]!.replace(/./, 'b') === ''
          ? ''
          : deriveAccounts(seed, { chain: 'bitcoin', network: 'regtest', account: 7, count: 1 })[0]!.address
      const quote = await adapter.quoteTransfer({ from: account.descriptor, to, asset: BTC, amount: 70_000n })
      const txid = await adapter.sendTransfer(quote, account)
      const broadcast = server.broadcasts.at(-1)!
      expect(broadcast).toMatchObject({ accepted: true, txid })
      const tx = BtcTransaction.fromHex(broadcast.hex)
      expect(tx.ins.every((i) => i.sequence === 0xfffffffd)).toBe(true) // RBF signalled
      const paid = server.utxos(to)
      expect(paid.map((u) => u.value)).toEqual([70_000n])
      const change = server.utxos(receive(addressType, 0, 1, 1)[0]!)
      expect(change).toHaveLength(1)
      expect(70_000n + change[0]!.value + quote.fee.amount).toBe(110_000n)
      expect(await adapter.getTransaction(txid)).toMatchObject({ state: 'pending', fee: { amount: quote.fee.amount } })
      server.mine()
      expect(await adapter.waitForTransaction(txid)).toMatchObject({ state: 'confirmed', confirmations: 1 })
    },
  )

  it('a single address with a vault signer (no account) spends and gets its change back', async () => {
    const { server, adapter } = await setup()
    const { vault, id } = await vaultWith()
    const signer = await vault.getSigner({ secretId: id, chain: 'bitcoin', network: 'regtest', addressType: 'p2tr' })
    await server.fund(signer.address, 100_000n)
    const to = receive('p2wpkh', 3)[0]!
    const quote = await adapter.quoteTransfer({ from: signer.address, to, asset: BTC, amount: 40_000n, feeLevel: 'fast' })
    const txid = await adapter.sendTransfer(quote, signer)
    expect(server.broadcasts.at(-1)).toMatchObject({ accepted: true, txid })
    expect(server.utxos(signer.address).map((u) => u.value)).toEqual([100_000n - 40_000n - quote.fee.amount])
  })

  it('refuses to sign a PSBT that pays someone else, another amount, or a higher fee than its summary says', async () => {
    const { server, adapter } = await setup()
    const { vault, id } = await vaultWith()
    const signer = await vault.getSigner({ secretId: id, chain: 'bitcoin', network: 'regtest', addressType: 'p2wpkh' })
    await server.fund(signer.address, 100_000n)
    const to = receive('p2wpkh', 4)[0]!
    const unsigned = await adapter.buildTransfer(await adapter.quoteTransfer({ from: signer.address, to, asset: BTC, amount: 40_000n }))
    for (const summary of [
      { ...unsigned.summary, to: receive('p2wpkh', 5)[0]! },
      { ...unsigned.summary, amount: '39999' },
      { ...unsigned.summary, fee: String(BigInt(unsigned.summary.fee) - 1n) },
    ]) {
      await expect(adapter.signTransaction({ ...unsigned, summary }, signer)).rejects.toThrow(/does not match its summary/)
    }
    await expect(adapter.signTransaction(unsigned, signer)).resolves.toMatchObject({ kind: 'bitcoin-psbt' })
  })

  it("signs change only when it provably goes back to the signer: an account's change carries its key origin, a key's change pays its own script", async () => {
    const { server, adapter } = await setup()
    const { vault, id } = await vaultWith()
    const net = { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, wif: 0xef }
    const stranger = deriveAccounts(seed, { chain: 'bitcoin', network: 'regtest', account: 9, count: 1 })[0]!.address
    /** The index of the change output (outputs come in a random order): the one not paying 30,000. */
    const changeIndex = (unsigned: Awaited<ReturnType<typeof adapter.buildTransfer>>) => {
      const tx = psbtFromBase64(unsigned.payload.psbt)
      const index = [0, 1].find((i) => tx.getOutput(i).amount !== 30_000n)!
      expect(tx.outputsLength).toBe(2)
      return index
    }
    /** The same PSBT with its change output edited. */
    const edit = (unsigned: Awaited<ReturnType<typeof adapter.buildTransfer>>, change: (tx: ScureTransaction, index: number) => void) => {
      const tx = psbtFromBase64(unsigned.payload.psbt)
      change(tx, changeIndex(unsigned))
      return { ...unsigned, payload: { ...unsigned.payload, psbt: psbtToBase64(tx) } }
    }
    for (const addressType of ['p2wpkh', 'p2tr', 'p2sh-p2wpkh'] as const) {
      const account = await vault.getAccountSigner({ secretId: id, chain: 'bitcoin', network: 'regtest', addressType })
      await server.fund(receive(addressType, 0)[0]!, 100_000n)
      const unsigned = await adapter.buildTransfer(
        await adapter.quoteTransfer({ from: account.descriptor, to: receive('p2wpkh', 8)[0]!, asset: BTC, amount: 30_000n }),
      )
      const index = changeIndex(unsigned)
      const change = psbtFromBase64(unsigned.payload.psbt).getOutput(index)
      expect((change.bip32Derivation ?? change.tapBip32Derivation)?.length, addressType).toBe(1)
      // The change redirected to a stranger, same amount: the summary still reads right, the signer refuses.
      const redirected = edit(unsigned, (tx, i) =>
        tx.updateOutput(i, {
          script: OutScript.encode(Address(net).decode(stranger)),
          bip32Derivation: undefined,
          tapBip32Derivation: undefined,
          tapInternalKey: undefined,
          redeemScript: undefined,
        }),
      )
      await expect(adapter.signTransaction(redirected, account), addressType).rejects.toThrow(
        new RegExp(`output ${index} pays .*neither the recipient nor change back to the signer`),
      )
      // The stranger's output dressed up with the account's key origin: the key does not match its script.
      const disguised = edit(unsigned, (tx, i) => tx.updateOutput(i, { script: OutScript.encode(Address(net).decode(stranger)) }))
      await expect(adapter.signTransaction(disguised, account), addressType).rejects.toThrow(/neither the recipient nor change/)
      // The PSBT as built signs.
      await expect(adapter.signTransaction(unsigned, account), addressType).resolves.toMatchObject({ kind: 'bitcoin-psbt' })
    }
    const key = await vault.getSigner({ secretId: id, chain: 'bitcoin', network: 'regtest', addressType: 'p2wpkh' })
    await server.fund(key.address, 100_000n)
    const single = await adapter.buildTransfer(
      await adapter.quoteTransfer({ from: key.address, to: receive('p2wpkh', 8)[0]!, asset: BTC, amount: 30_000n }),
    )
    const stolen = edit(single, (tx, i) => tx.updateOutput(i, { script: OutScript.encode(Address(net).decode(stranger)) }))
    await expect(adapter.signTransaction(stolen, key)).rejects.toThrow(/neither the recipient nor change/)
    await expect(adapter.signTransaction(single, key)).resolves.toMatchObject({ kind: 'bitcoin-psbt' })
  })

  it('insufficient funds is a typed error before anything is built or broadcast', async () => {
    const { server, adapter } = await setup()
    const { vault, id } = await vaultWith()
    const account = await vault.getAccountSigner({ secretId: id, chain: 'bitcoin', network: 'regtest' })
    await server.fund(receive('p2wpkh', 0)[0]!, 10_000n)
    await server.fund(receive('p2wpkh', 1)[0]!, 90_000n, { confirmed: false })
    const to = receive('p2wpkh', 9)[0]!
    await expect(adapter.quoteTransfer({ from: account.descriptor, to, asset: BTC, amount: 20_000n })).rejects.toBeInstanceOf(
      InsufficientFundsError,
    )
    await expect(adapter.quoteTransfer({ from: account.descriptor, to, asset: BTC, amount: 20_000n })).rejects.toThrow(/unconfirmed/)
    // Allowing unconfirmed coins makes it possible.
    const quote = await adapter.quoteTransfer({ from: account.descriptor, to, asset: BTC, amount: 20_000n, allowUnconfirmed: true })
    expect(quote.amount).toBe(20_000n)
    expect(server.broadcasts).toHaveLength(0)
  })

  it('"max" sweeps every coin to one output with no change', async () => {
    const { server, adapter } = await setup()
    const { vault, id } = await vaultWith()
    const account = await vault.getAccountSigner({ secretId: id, chain: 'bitcoin', network: 'regtest' })
    for (const i of [0, 1, 2]) await server.fund(receive('p2wpkh', i)[0]!, 25_000n)
    const to =
      receive('p2wpkh', 0, 1)[0]!.slice(0, 0) ||
      deriveAccounts(seed, { chain: 'bitcoin', network: 'regtest', account: 3, count: 1 })[0]!.address
    const quote = await adapter.quoteTransfer({ from: account.descriptor, to, asset: BTC, amount: 'max' })
    expect(quote.amount + quote.fee.amount).toBe(75_000n)
    await adapter.sendTransfer(quote, account)
    const tx = BtcTransaction.fromHex(server.broadcasts.at(-1)!.hex)
    expect(tx.ins).toHaveLength(3)
    expect(tx.outs).toHaveLength(1)
  })

  it('a PSBT exported, signed elsewhere (bitcoinjs-lib), imported, finalized and broadcast', async () => {
    const { server, adapter } = await setup()
    const { vault, id } = await vaultWith()
    const account = await vault.getAccountSigner({ secretId: id, chain: 'bitcoin', network: 'regtest' })
    await server.fund(receive('p2wpkh', 0)[0]!, 50_000n)
    const quote = await adapter.quoteTransfer({ from: account.descriptor, to: receive('p2wpkh', 5)[0]!, asset: BTC, amount: 20_000n })
    const unsigned = await adapter.buildTransfer(quote)
    // Another machine: bitcoinjs-lib signs with the key found through the PSBT's BIP-32 origin.
    const psbt = Psbt.fromBase64(unsigned.payload.psbt as string)
    const root = HDKey.fromMasterSeed(seed)
    const derivation = psbt.data.inputs[0]!.bip32Derivation![0]!
    expect(Buffer.from(derivation.masterFingerprint).readUInt32BE(0)).toBe(root.fingerprint)
    const child = root.derive(derivation.path)
    psbt.signInput(0, { publicKey: child.publicKey!, sign: (hash: Uint8Array) => ecc.sign(hash, child.privateKey!) })
    const signed = adapter.finalizePsbt(psbt.toBase64())
    const txid = await adapter.broadcast(signed)
    expect(server.broadcasts.at(-1)).toMatchObject({ accepted: true, txid })
    // And the other way: coffer signs a PSBT without finalizing, for a co-signer or a hardware wallet.
    await server.fund(receive('p2wpkh', 1)[0]!, 30_000n)
    const second = await adapter.buildTransfer(
      await adapter.quoteTransfer({ from: account.descriptor, to: receive('p2wpkh', 6)[0]!, asset: BTC, amount: 10_000n }),
    )
    const partly = await adapter.signPsbt(second.payload.psbt as string, account)
    expect(Psbt.fromBase64(partly).validateSignaturesOfAllInputs((pub, hash, sig) => ecc.verify(hash, pub, sig))).toBe(true)
  })

  it('RBF: speedUp replaces a pending send with a higher fee the server accepts under BIP-125', async () => {
    const { server, adapter } = await setup()
    const { vault, id } = await vaultWith()
    const account = await vault.getAccountSigner({ secretId: id, chain: 'bitcoin', network: 'regtest' })
    await server.fund(receive('p2wpkh', 0)[0]!, 100_000n)
    server.setFeeEstimates({ '1': 5, '6': 3, '24': 2, '144': 1 })
    const to = receive('p2wpkh', 8)[0]!
    const quote = await adapter.quoteTransfer({ from: account.descriptor, to, asset: BTC, amount: 30_000n, feeLevel: 'slow' })
    const first = await adapter.sendTransfer(quote, account)
    server.setFeeEstimates({ '1': 40, '6': 30, '24': 20, '144': 10 })
    const bumped = await adapter.speedUp(first, account)
    expect(server.broadcasts.at(-1)).toMatchObject({ accepted: true, txid: bumped, replaced: [first] })
    const oldTx = BtcTransaction.fromHex(server.broadcasts.find((b) => b.txid === first)!.hex)
    const newTx = BtcTransaction.fromHex(server.broadcasts.at(-1)!.hex)
    expect(newTx.outs.find((o) => o.value === 30_000n)).toBeDefined()
    const outpoints = (tx: BtcTransaction) => tx.ins.map((i) => `${Buffer.from(i.hash).toString('hex')}:${i.index}`).sort()
    expect(outpoints(newTx)).toEqual(outpoints(oldTx)) // the same coins (in a fresh order)
    expect(await adapter.getTransaction(first)).toMatchObject({ state: 'dropped', replacedBy: bumped })
    const fee = (await adapter.getTransaction(bumped)).fee!.amount
    expect(Number(fee) / measuredVsize(server.broadcasts.at(-1)!.hex)).toBeGreaterThanOrEqual(40)
  })
})

describe('reads', () => {
  it('history nets each transaction for the account; latestBlock chains to its parent', async () => {
    const { server, adapter } = await setup()
    const { vault, id } = await vaultWith()
    const account = await vault.getAccountSigner({ secretId: id, chain: 'bitcoin', network: 'regtest' })
    await server.fund(receive('p2wpkh', 0)[0]!, 80_000n)
    const out = await adapter.sendTransfer(
      await adapter.quoteTransfer({ from: account.descriptor, to: receive('p2tr', 0)[0]!, asset: BTC, amount: 30_000n }),
      account,
    )
    server.mine()
    const page = await adapter.getHistory(account.descriptor)
    expect(page.items.map((i) => [i.direction, i.amount])).toEqual([
      ['out', 30_000n],
      ['in', 80_000n],
    ])
    expect(page.items[0]).toMatchObject({ hash: out, state: 'confirmed', fee: { asset: BTC } })
    const one = await adapter.getHistory(account.descriptor, { limit: 1 })
    expect(one.items).toHaveLength(1)
    expect((await adapter.getHistory(account.descriptor, { limit: 1, cursor: one.cursor! })).items[0]!.direction).toBe('in')
    const block = await adapter.latestBlock()
    expect(block.height).toBe(server.tipHeight)
    expect(block.hash).toBe(server.tipHash)
    expect(block.parentHash).toMatch(/^[0-9a-f]{64}$/)
  })

  it('counts coins fewer than `confirmations` deep as pending; blockAt names the blocks; a transfer scan; balances move with the mempool', async () => {
    const { server, adapter } = await setup()
    const { vault, id } = await vaultWith()
    const account = await vault.getAccountSigner({ secretId: id, chain: 'bitcoin', network: 'regtest' })
    const address = receive('p2wpkh', 0)[0]!
    await server.fund(address, 50_000n) // in the tip block: 1 confirmation
    server.mine(2) // now 3
    await server.fund(address, 20_000n) // 1 confirmation
    await server.fund(receive('p2wpkh', 1)[0]!, 5_000n, { confirmed: false }) // mempool
    const [deep] = await adapter.getBalances({ addresses: [account.descriptor], confirmations: 3 })
    expect(deep).toMatchObject({ ok: true, amount: 75_000n, pending: 25_000n })
    const [shallow] = await adapter.getBalances({ addresses: [address, account.descriptor] })
    expect(shallow).toMatchObject({ amount: 70_000n, pending: 0n })
    const [single] = await adapter.getBalances({ addresses: [address], confirmations: 2 })
    expect(single).toMatchObject({ amount: 70_000n, pending: 20_000n })

    const tip = await adapter.latestBlock()
    expect(await adapter.blockAt(tip.height)).toEqual(tip)
    expect((await adapter.blockAt(tip.height - 1)).hash).toBe(tip.parentHash)
    await expect(adapter.blockAt(-1)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
    await expect(adapter.getBalances({ addresses: [address], blockHeight: tip.height - 1 })).rejects.toMatchObject({
      code: 'NOT_SUPPORTED',
    })
    expect((await adapter.getBalances({ addresses: [address], blockHeight: tip.height }))[0]).toMatchObject({ amount: 70_000n })
    await expect(adapter.getTransfers({ addresses: [address], fromBlock: 0, toBlock: tip.height })).resolves.toMatchObject({
      complete: true,
    })
    expect(adapter.capabilities).toMatchObject({ balancesAt: false, transfers: true, mempool: true })
    expect(adapter.testnet).toBe(true)
  })

  it('rejects other assets, networks and malformed input with typed errors', async () => {
    const { adapter } = await setup()
    expect(adapter.isValidAddress('bcrt1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu')).toBe(false)
    expect(adapter.isValidAddress(receive('p2tr', 0)[0]!)).toBe(true)
    await expect(
      adapter.quoteTransfer({ from: receive('p2wpkh', 0)[0]!, to: 'bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu', asset: BTC, amount: 1n }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
    await expect(adapter.quoteTransfer({ from: 'nope', to: receive('p2wpkh', 0)[0]!, asset: BTC, amount: 1n })).rejects.toMatchObject({
      code: 'INVALID_ADDRESS',
    })
    await expect(
      adapter.quoteTransfer({ from: receive('p2wpkh', 0)[0]!, to: receive('p2wpkh', 1)[0]!, asset: 'eip155:1/slip44:60', amount: 1n }),
    ).rejects.toMatchObject({ code: 'UNKNOWN_ASSET' })
    const mainnetXpub = HDNode.fromSeed(seed).derive("m/84'/0'/0'").xpub
    await expect(adapter.discoverAccount(mainnetXpub)).rejects.toMatchObject({ code: 'INVALID_ADDRESS' })
    expect(() => bitcoin({ network: 'regtest' })).toThrow(/esploraUrl or a backend/)
  })
})
