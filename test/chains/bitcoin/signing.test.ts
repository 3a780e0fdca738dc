/**
 * What coffer's Bitcoin signer signs, checked against the checking test node (bitcoinjs-lib +
 * libsecp256k1) and bitcoinjs-lib's own PSBT code:
 * - a non-taproot input is signed only over its whole previous transaction, matching its txid
 *   and witnessUtxo (CVE-2020-14199), also for PSBTs made elsewhere;
 * - a PSBT's requested sighash type is honoured when it commits to every output and refused
 *   (NONE, SINGLE) otherwise;
 * - every build differs (anti-fee-sniping lock time, random input and output order), so two
 *   signings of the same payment never combine into one valid transaction.
 */
import { Psbt, Transaction, address as baddress, initEccLib } from 'bitcoinjs-lib'
import * as ecc from 'tiny-secp256k1'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { deriveAccounts, mnemonicToSeed } from 'coffer/keys'
import { BITCOIN_CHAINS, DataIntegrityError, InvalidArgumentError, psbtFromBase64, psbtToBase64, signPsbt } from 'coffer/bitcoin'
import { antiFeeSnipingLockTime } from '../../../src/chains/bitcoin/build-entropy.js'
import { NETWORKS, type EsploraServer } from '../../support/esplora-server.js'
import { ABANDON, regtest, vaultWith } from './helpers.js'

initEccLib(ecc)
const BTC = 'bip122:0f9188f13cb7b2c71f2a335e3a4fc328/slip44:1'
const network = NETWORKS.regtest

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
const stranger = (index = 0) =>
  deriveAccounts(seed, { chain: 'bitcoin', network: 'regtest', account: 7, start: index, count: 1 })[0]!.address
const hexOf = (server: EsploraServer, txid: string) => server.transactions().find((t) => t.txid === txid)!.hex

describe('signing over the previous transaction (PSBTs from elsewhere)', () => {
  type Utxo = { witnessUtxo?: { script: Uint8Array; value: bigint }; nonWitnessUtxo?: Uint8Array }
  /**
   * A PSBT (bitcoinjs-lib) spending `coin` of a single-key signer to a stranger, with the given
   * utxo fields; `second` adds another input (someone else's coin, with its whole previous transaction).
   */
  function psbtFor(
    coin: { txid: string; vout: number },
    utxo: Utxo,
    second?: { coin: { txid: string; vout: number }; utxo: Utxo },
  ): string {
    const psbt = new Psbt({ network })
    psbt.addInput({ hash: coin.txid, index: coin.vout, sequence: 0xfffffffd, ...utxo })
    if (second) psbt.addInput({ hash: second.coin.txid, index: second.coin.vout, sequence: 0xfffffffd, ...second.utxo })
    psbt.addOutput({ address: stranger(), value: second ? 190_000n : 90_000n })
    return psbt.toBase64()
  }

  it.each(['p2wpkh', 'p2sh-p2wpkh', 'p2pkh'] as const)(
    '%s: missing, mismatched or unprovable previous transactions are refused; the matching one signs and the node accepts it',
    async (addressType) => {
      const { server, adapter } = await setup()
      const { vault, id } = await vaultWith()
      const signer = await vault.getSigner({ secretId: id, chain: 'bitcoin', network: 'regtest', addressType })
      const coin = await server.fund(signer.address, 100_000n)
      const other = await server.fund(stranger(1), 100_000n)
      const script = baddress.toOutputScript(signer.address, network)
      const prev = Transaction.fromHex(hexOf(server, coin.txid))
      const witnessUtxo = { script, value: 100_000n }
      // A transaction with our output that is not a complete transaction (its input has no
      // scriptSig or witness), so @scure/btc-signer skips its own txid check on it.
      const unfinished = prev.clone()
      unfinished.ins[0]!.script = new Uint8Array(0)
      unfinished.outs[0]!.value = 10_000n
      const cases: [string, Parameters<typeof psbtFor>[1], typeof InvalidArgumentError | typeof DataIntegrityError, RegExp][] = [
        ['witnessUtxo only', { witnessUtxo }, InvalidArgumentError, /no previous transaction \(nonWitnessUtxo\)/],
        [
          'another complete transaction',
          { witnessUtxo, nonWitnessUtxo: Transaction.fromHex(hexOf(server, other.txid)).toBuffer() },
          DataIntegrityError,
          /previous transaction/,
        ],
        [
          'a forged, incomplete transaction',
          { nonWitnessUtxo: unfinished.toBuffer() },
          DataIntegrityError,
          new RegExp(`hashes to ${unfinished.getId()}, not to its txid`),
        ],
        [
          'the right transaction, a smaller witnessUtxo',
          { witnessUtxo: { script, value: 10_000n }, nonWitnessUtxo: prev.toBuffer() },
          DataIntegrityError,
          /previous transaction/,
        ],
      ]
      // A second input (someone else's coin) is what makes a witnessUtxo alone dangerous: with it,
      // signatures of two sessions fed different amounts could be combined.
      const second = { coin: other, utxo: { nonWitnessUtxo: Transaction.fromHex(hexOf(server, other.txid)).toBuffer() } }
      for (const [name, utxo, type, message] of cases) {
        if (addressType === 'p2pkh' && utxo.witnessUtxo && !utxo.nonWitnessUtxo) continue // bitcoinjs-lib cannot even write that PSBT
        const error = await adapter.signPsbt(psbtFor(coin, utxo, second), signer).catch((e: unknown) => e)
        expect(error, name).toBeInstanceOf(type)
        expect((error as Error).message, name).toMatch(message)
      }
      const signed = await adapter.signPsbt(
        psbtFor(coin, { ...(addressType === 'p2pkh' ? {} : { witnessUtxo }), nonWitnessUtxo: prev.toBuffer() }),
        signer,
      )
      const txid = await adapter.broadcast(adapter.finalizePsbt(signed))
      expect(server.broadcasts).toMatchObject([{ accepted: true, txid }])
      expect(server.utxos(stranger()).map((u) => u.value)).toEqual([90_000n])
    },
  )

  it.each(['p2wpkh', 'p2sh-p2wpkh'] as const)(
    '%s as the only input: signed from witnessUtxo alone (BIP-143 commits to its amount); a false amount only makes the signature invalid',
    async (addressType) => {
      const { server, adapter } = await setup()
      const { vault, id } = await vaultWith()
      const signer = await vault.getSigner({ secretId: id, chain: 'bitcoin', network: 'regtest', addressType })
      const coin = await server.fund(signer.address, 100_000n)
      const script = baddress.toOutputScript(signer.address, network)
      // Told the coin holds 95,000 (the fee would look like 5,000): the signature commits to 95,000 and the node refuses it.
      const lied = await adapter.signPsbt(psbtFor(coin, { witnessUtxo: { script, value: 95_000n } }), signer)
      await expect(adapter.broadcast(adapter.finalizePsbt(lied))).rejects.toMatchObject({ code: 'TRANSACTION_REJECTED' })
      expect(server.utxos(stranger())).toEqual([])
      // Told the truth: it signs and the node accepts it.
      const honest = await adapter.signPsbt(psbtFor(coin, { witnessUtxo: { script, value: 100_000n } }), signer)
      const txid = await adapter.broadcast(adapter.finalizePsbt(honest))
      expect(server.broadcasts.at(-1)).toMatchObject({ accepted: true, txid })
      expect(server.utxos(stranger()).map((u) => u.value)).toEqual([90_000n])
    },
  )

  it('taproot inputs need no previous transaction (BIP-341 commits to every amount): signed from witnessUtxo alone', async () => {
    const { server, adapter } = await setup()
    const { vault, id } = await vaultWith()
    const signer = await vault.getSigner({ secretId: id, chain: 'bitcoin', network: 'regtest', addressType: 'p2tr' })
    const coin = await server.fund(signer.address, 100_000n)
    const signed = await adapter.signPsbt(
      psbtFor(coin, { witnessUtxo: { script: baddress.toOutputScript(signer.address, network), value: 100_000n } }),
      signer,
    )
    const txid = await adapter.broadcast(adapter.finalizePsbt(signed))
    expect(server.broadcasts).toMatchObject([{ accepted: true, txid }])
  })
})

describe('PSBT_IN_SIGHASH_TYPE', () => {
  it.each(['p2wpkh', 'p2tr', 'p2pkh', 'p2sh-p2wpkh'] as const)(
    '%s: ALL|ANYONECANPAY is signed with that type and the node verifies it',
    async (addressType) => {
      const { server, adapter } = await setup()
      const { vault, id } = await vaultWith()
      const account = await vault.getAccountSigner({ secretId: id, chain: 'bitcoin', network: 'regtest', addressType })
      await server.fund(account.child(0, 0).address, 100_000n)
      const unsigned = await adapter.buildTransfer(
        await adapter.quoteTransfer({ from: account.descriptor, to: stranger(), asset: BTC, amount: 40_000n }),
      )
      const psbt = Psbt.fromBase64(unsigned.payload.psbt as string)
      psbt.updateInput(0, { sighashType: 0x81 })
      const signed = Psbt.fromBase64(await adapter.signPsbt(psbt.toBase64(), account))
      const input = signed.data.inputs[0]!
      const sig = addressType === 'p2tr' ? input.tapKeySig! : input.partialSig![0]!.signature
      expect(sig.at(-1)).toBe(0x81)
      if (addressType === 'p2tr') expect(sig).toHaveLength(65)
      const txid = await adapter.broadcast(adapter.finalizePsbt(signed.toBase64()))
      expect(server.broadcasts).toMatchObject([{ accepted: true, txid }])
    },
  )

  it('no type asked: ALL for ECDSA, DEFAULT (a 64-byte signature) for taproot; ALL asked on taproot gives a 65-byte signature', async () => {
    const { server, adapter } = await setup()
    const { vault, id } = await vaultWith()
    for (const [addressType, asked, length, last] of [
      ['p2wpkh', undefined, undefined, 0x01],
      ['p2tr', undefined, 64, undefined],
      ['p2tr', 0x01, 65, 0x01],
    ] as const) {
      const account = await vault.getAccountSigner({ secretId: id, chain: 'bitcoin', network: 'regtest', addressType })
      await server.fund(account.child(0, 0).address, 100_000n)
      const unsigned = await adapter.buildTransfer(
        await adapter.quoteTransfer({ from: account.descriptor, to: stranger(), asset: BTC, amount: 40_000n }),
      )
      const psbt = Psbt.fromBase64(unsigned.payload.psbt as string)
      if (asked !== undefined) psbt.updateInput(0, { sighashType: asked })
      const signed = Psbt.fromBase64(await adapter.signPsbt(psbt.toBase64(), account))
      const input = signed.data.inputs[0]!
      const sig = addressType === 'p2tr' ? input.tapKeySig! : input.partialSig![0]!.signature
      if (length !== undefined) expect(sig).toHaveLength(length)
      if (last !== undefined) expect(sig.at(-1)).toBe(last)
      const txid = await adapter.broadcast(adapter.finalizePsbt(signed.toBase64()))
      expect(server.broadcasts.at(-1)).toMatchObject({ accepted: true, txid })
      server.mine()
    }
  })

  it.each([
    ['p2wpkh', 0x02, 'NONE'],
    ['p2wpkh', 0x03, 'SINGLE'],
    ['p2wpkh', 0x82, 'NONE|ANYONECANPAY'],
    ['p2wpkh', 0x83, 'SINGLE|ANYONECANPAY'],
    ['p2wpkh', 0x00, 'DEFAULT'],
    ['p2tr', 0x03, 'SINGLE'],
    ['p2tr', 0x82, 'NONE|ANYONECANPAY'],
    ['p2pkh', 0x02, 'NONE'],
  ] as const)(
    '%s asking for %i (%s) is refused with InvalidArgumentError naming the input and type; nothing is signed',
    async (addressType, type, name) => {
      const { server, adapter } = await setup()
      const { vault, id } = await vaultWith()
      const account = await vault.getAccountSigner({ secretId: id, chain: 'bitcoin', network: 'regtest', addressType })
      await server.fund(account.child(0, 0).address, 60_000n)
      await server.fund(account.child(0, 1).address, 60_000n)
      const unsigned = await adapter.buildTransfer(
        await adapter.quoteTransfer({ from: account.descriptor, to: stranger(), asset: BTC, amount: 100_000n }),
      )
      const psbt = psbtFromBase64(unsigned.payload.psbt)
      expect(psbt.inputsLength).toBe(2)
      psbt.updateInput(1, { sighashType: type })
      const asking = psbtToBase64(psbt)
      const message = new RegExp(`PSBT input 1 asks for sighash type ${name.replace('|', '\\|')};`)
      await expect(adapter.signPsbt(asking, account)).rejects.toThrow(message)
      const error = await adapter
        .signTransaction({ ...unsigned, payload: { ...unsigned.payload, psbt: asking } }, account)
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(InvalidArgumentError)
      expect((error as InvalidArgumentError).details).toMatchObject({ input: 1, sighashType: type })
      // Every input is checked before the first signature: input 0, fine on its own, is left unsigned.
      const tx = psbtFromBase64(asking)
      await expect(signPsbt(tx, account, BITCOIN_CHAINS.regtest.params)).rejects.toBeInstanceOf(InvalidArgumentError)
      expect([tx.getInput(0).partialSig, tx.getInput(0).tapKeySig]).toEqual([undefined, undefined])
      expect(server.broadcasts).toEqual([])
    },
  )
})

describe('every build of a payment differs, so signatures from two builds never combine', () => {
  it('lock time is the tip (or up to 99 blocks before it) and the input and output order is fresh on each build', async () => {
    const { server, adapter } = await setup()
    const { vault, id } = await vaultWith()
    const account = await vault.getAccountSigner({ secretId: id, chain: 'bitcoin', network: 'regtest' })
    for (const i of [0, 1, 2]) await server.fund(account.child(0, i).address, 40_000n)
    const quote = await adapter.quoteTransfer({ from: account.descriptor, to: stranger(), asset: BTC, amount: 100_000n })
    const tip = server.tipHeight
    const inputOrders = new Set<string>()
    const outputOrders = new Set<string>()
    for (let i = 0; i < 20; i++) {
      const unsigned = await adapter.buildTransfer(quote)
      const tx = Psbt.fromBase64(unsigned.payload.psbt as string)
      expect(tx.locktime).toBe(unsigned.payload.lockTime)
      expect(tx.locktime).toBeGreaterThanOrEqual(tip - 99)
      expect(tx.locktime).toBeLessThanOrEqual(tip)
      expect(tx.txInputs).toHaveLength(3)
      expect(tx.txOutputs).toHaveLength(2)
      inputOrders.add(tx.txInputs.map((x) => Buffer.from(x.hash).toString('hex')).join())
      outputOrders.add(tx.txOutputs.map((o) => o.value).join())
      // The JSON the journal keeps lists them in the PSBT's order.
      expect((unsigned.payload.outputs as { value: string }[]).map((o) => o.value).join()).toBe(tx.txOutputs.map((o) => o.value).join())
    }
    expect(inputOrders.size).toBeGreaterThan(1)
    expect(outputOrders.size).toBeGreaterThan(1)
  })

  it('anti-fee-sniping: the tip height, one time in ten 0–99 blocks earlier, never below 0', () => {
    const draws = Array.from({ length: 4_000 }, () => antiFeeSnipingLockTime(800_000))
    expect(draws.every((h) => h >= 800_000 - 99 && h <= 800_000)).toBe(true)
    const atTip = draws.filter((h) => h === 800_000).length / draws.length
    expect(atTip).toBeGreaterThan(0.85) // 90% expected (+ the 1% of back-dates by 0)
    expect(atTip).toBeLessThan(0.96)
    expect(new Set(draws.filter((h) => h < 800_000)).size).toBeGreaterThan(20)
    expect(Array.from({ length: 500 }, () => antiFeeSnipingLockTime(3)).every((h) => h >= 0 && h <= 3)).toBe(true)
    expect(() => antiFeeSnipingLockTime(500_000_000)).toThrow(InvalidArgumentError)
  })

  it("an input's signature from one build does not fit another build: the node refuses the combination", async () => {
    const { server, adapter } = await setup()
    const { vault, id } = await vaultWith()
    const account = await vault.getAccountSigner({ secretId: id, chain: 'bitcoin', network: 'regtest' })
    for (const i of [0, 1]) await server.fund(account.child(0, i).address, 60_000n)
    const quote = await adapter.quoteTransfer({ from: account.descriptor, to: stranger(), asset: BTC, amount: 100_000n })
    const first = await adapter.signTransaction(await adapter.buildTransfer(quote), account)
    const unsignedId = (hex: string) => {
      const tx = Transaction.fromHex(hex)
      tx.ins.forEach((_, i) => tx.setWitness(i, []))
      return tx.getId()
    }
    let second = await adapter.signTransaction(await adapter.buildTransfer(quote), account)
    for (let tries = 0; tries < 50 && unsignedId(second.raw) === unsignedId(first.raw); tries++)
      second = await adapter.signTransaction(await adapter.buildTransfer(quote), account)
    expect(unsignedId(second.raw)).not.toBe(unsignedId(first.raw))
    // Splice: the first build, with one input's witness taken from the second build.
    const a = Transaction.fromHex(first.raw)
    const b = Transaction.fromHex(second.raw)
    const outpoint = (tx: Transaction, i: number) => `${Buffer.from(tx.ins[i]!.hash).toString('hex')}:${tx.ins[i]!.index}`
    const j = b.ins.findIndex((_, k) => outpoint(b, k) === outpoint(a, 0))
    const spliced = a.clone()
    spliced.setWitness(0, b.ins[j]!.witness)
    const res = await fetch(`${server.url}/tx`, { method: 'POST', body: spliced.toHex() })
    expect(res.status).toBe(400)
    expect(await res.text()).toMatch(/mandatory-script-verify-flag-failed/)
    expect(await adapter.broadcast(first)).toBe(first.hash)
    expect(server.broadcasts.map((x) => x.accepted)).toEqual([false, true])
  })
})
