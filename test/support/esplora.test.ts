// Proves the Esplora test server (./esplora-server.ts): the REST shapes, the
// UTXO bookkeeping, and — the point of it — that POST /tx accepts only
// transactions whose every input signature verifies (signed here with
// bitcoinjs-lib's Psbt and ecpair over tiny-secp256k1), and applies BIP-125.
import { createHash } from 'node:crypto'
import { ECPairFactory, type ECPairInterface } from 'ecpair'
import { Psbt, Transaction, crypto as bcrypto, payments, script as bscript, toXOnly } from 'bitcoinjs-lib'
import * as ecc from 'tiny-secp256k1'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { NETWORKS, startEsplora, type EsploraServer } from './esplora-server.js'

const ECPair = ECPairFactory(ecc)
const network = NETWORKS.regtest
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n

function keyFor(label: string): ECPairInterface {
  const d = createHash('sha256').update(`coffer-esplora-test/${label}`).digest()
  return ECPair.fromPrivateKey(Uint8Array.from(d), { network })
}

const alice = keyFor('alice')
const bob = keyFor('bob')
const ALICE = payments.p2wpkh({ pubkey: alice.publicKey, network })
const BOB = payments.p2wpkh({ pubkey: bob.publicKey, network }).address!

type Kind = 'p2wpkh' | 'p2tr' | 'p2pkh' | 'p2sh-p2wpkh'

function paymentFor(kind: Kind, key: ECPairInterface): payments.Payment {
  switch (kind) {
    case 'p2wpkh':
      return payments.p2wpkh({ pubkey: key.publicKey, network })
    case 'p2tr':
      return payments.p2tr({ internalPubkey: toXOnly(key.publicKey), network })
    case 'p2pkh':
      return payments.p2pkh({ pubkey: key.publicKey, network })
    case 'p2sh-p2wpkh':
      return payments.p2sh({ redeem: payments.p2wpkh({ pubkey: key.publicKey, network }), network })
  }
}

interface Coin {
  txid: string
  vout: number
  value: bigint
  kind: Kind
  key: ECPairInterface
}

/** Signs a spend of `coins` to `outputs` with bitcoinjs-lib's Psbt. */
async function signSpend(
  esplora: EsploraServer,
  coins: Coin[],
  outputs: { address: string; value: bigint }[],
  sequence = 0xfffffffd,
  lockTime = 0,
): Promise<{ hex: string; txid: string; tx: Transaction }> {
  const psbt = new Psbt({ network })
  psbt.setLocktime(lockTime)
  for (const coin of coins) {
    const pay = paymentFor(coin.kind, coin.key)
    const base = { hash: coin.txid, index: coin.vout, sequence }
    const witnessUtxo = { script: pay.output!, value: coin.value }
    switch (coin.kind) {
      case 'p2wpkh':
        psbt.addInput({ ...base, witnessUtxo })
        break
      case 'p2tr':
        psbt.addInput({ ...base, witnessUtxo, tapInternalKey: toXOnly(coin.key.publicKey) })
        break
      case 'p2sh-p2wpkh':
        psbt.addInput({ ...base, witnessUtxo, redeemScript: pay.redeem!.output! })
        break
      case 'p2pkh': {
        const res = await fetch(`${esplora.url}/tx/${coin.txid}/hex`)
        psbt.addInput({ ...base, nonWitnessUtxo: Buffer.from(await res.text(), 'hex') })
        break
      }
    }
  }
  for (const o of outputs) psbt.addOutput(o)
  coins.forEach((coin, i) => {
    if (coin.kind === 'p2tr') {
      // BIP-86 key path: sign with the key tweaked by TapTweak(internal key).
      const tweaked = coin.key.tweak(bcrypto.taggedHash('TapTweak', toXOnly(coin.key.publicKey)))
      psbt.signInput(i, tweaked)
    } else {
      psbt.signInput(i, coin.key)
    }
  })
  psbt.finalizeAllInputs()
  // disableFeeCheck: some tests build deliberately tiny fees for the server to reject.
  const tx = psbt.extractTransaction(true)
  return { hex: tx.toHex(), txid: tx.getId(), tx }
}

async function fundCoin(esplora: EsploraServer, kind: Kind, key: ECPairInterface, value: bigint, confirmed = true): Promise<Coin> {
  const { txid, vout } = await esplora.fund(paymentFor(kind, key).address!, value, { confirmed })
  return { txid, vout, value, kind, key }
}

async function get(esplora: EsploraServer, path: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${esplora.url}${path}`)
  return { status: res.status, text: await res.text() }
}

async function getJson<T = any>(esplora: EsploraServer, path: string): Promise<T> {
  const res = await get(esplora, path)
  expect(res.status, `${path}: ${res.text}`).toBe(200)
  return JSON.parse(res.text) as T
}

async function broadcast(esplora: EsploraServer, hex: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${esplora.url}/tx`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: hex })
  return { status: res.status, text: await res.text() }
}

async function expectAccepted(esplora: EsploraServer, signed: { hex: string; txid: string }): Promise<void> {
  const res = await broadcast(esplora, signed.hex)
  expect(res, res.text).toEqual({ status: 200, text: signed.txid })
}

async function expectRejected(esplora: EsploraServer, hex: string, reason: RegExp): Promise<string> {
  const res = await broadcast(esplora, hex)
  expect(res.status, res.text).toBe(400)
  expect(res.text).toMatch(/^sendrawtransaction RPC error: \{"code":-\d+,"message":/)
  expect(res.text).toMatch(reason)
  return res.text
}

/** A copy of `tx` with `mutate` applied to input 0's first witness element (a signature). */
function withWitnessSig(tx: Transaction, mutate: (sig: Uint8Array) => Uint8Array): string {
  const copy = tx.clone()
  const witness = [...copy.ins[0]!.witness]
  witness[0] = mutate(Uint8Array.from(witness[0]!))
  copy.setWitness(0, witness)
  return copy.toHex()
}

let esplora: EsploraServer

beforeEach(async () => {
  esplora = await startEsplora({ network: 'regtest' })
})

afterEach(async () => {
  await esplora.stop()
})

describe('esplora-server: chain and funding', () => {
  it('starts at height 100 with deterministic, chained fake blocks', async () => {
    expect((await get(esplora, '/blocks/tip/height')).text).toBe('100')
    const tipHash = (await get(esplora, '/blocks/tip/hash')).text
    expect(tipHash).toMatch(/^[0-9a-f]{64}$/)
    expect((await get(esplora, '/block-height/100')).text).toBe(tipHash)
    const block = await getJson(esplora, `/block/${tipHash}`)
    expect(block).toMatchObject({ id: tipHash, height: 100, timestamp: 1_700_000_000 + 60_000 })
    expect(block.previousblockhash).toBe((await get(esplora, '/block-height/99')).text)
    expect((await get(esplora, '/block-height/101')).status).toBe(404)
    expect((await get(esplora, `/block/${'0'.repeat(64)}`)).status).toBe(404)
    // The same under /api, like mempool.space / blockstream.info.
    expect((await get(esplora, '/api/blocks/tip/height')).text).toBe('100')

    const other = await startEsplora({ network: 'regtest' })
    try {
      expect(other.tipHash).toBe(tipHash)
    } finally {
      await other.stop()
    }
  })

  it('fund(): a real, parseable funding tx; the utxo is visible with its status', async () => {
    const { txid, vout } = await esplora.fund(ALICE.address!, 150_000n)
    const mempoolFund = await esplora.fund(ALICE.address!, 20_000n, { confirmed: false })
    const tipHash = esplora.tipHash

    const hex = (await get(esplora, `/tx/${txid}/hex`)).text
    const parsed = Transaction.fromHex(hex)
    expect(parsed.getId()).toBe(txid)
    expect(parsed.outs[vout]!.value).toBe(150_000n)

    const utxos = await getJson<any[]>(esplora, `/address/${ALICE.address}/utxo`)
    expect(utxos).toEqual([
      {
        txid,
        vout,
        value: 150_000,
        status: { confirmed: true, block_height: 100, block_hash: tipHash, block_time: 1_700_060_000 },
      },
      { txid: mempoolFund.txid, vout: 0, value: 20_000, status: { confirmed: false } },
    ])
    expect(await getJson(esplora, `/address/${ALICE.address}`)).toEqual({
      address: ALICE.address,
      chain_stats: { funded_txo_count: 1, funded_txo_sum: 150_000, spent_txo_count: 0, spent_txo_sum: 0, tx_count: 1 },
      mempool_stats: { funded_txo_count: 1, funded_txo_sum: 20_000, spent_txo_count: 0, spent_txo_sum: 0, tx_count: 1 },
    })
    const tx = await getJson(esplora, `/tx/${txid}`)
    expect(tx).toMatchObject({
      txid,
      version: 2,
      locktime: 0,
      fee: 0,
      size: hex.length / 2,
      weight: (hex.length / 2) * 4,
      vout: [
        {
          scriptpubkey: Buffer.from(ALICE.output!).toString('hex'),
          scriptpubkey_type: 'v0_p2wpkh',
          scriptpubkey_address: ALICE.address,
          value: 150_000,
        },
      ],
      status: { confirmed: true, block_height: 100 },
    })
    expect(tx.vout[0].scriptpubkey_asm).toBe(`OP_0 OP_PUSHBYTES_20 ${Buffer.from(ALICE.hash!).toString('hex')}`)
    expect(await getJson(esplora, `/tx/${mempoolFund.txid}/status`)).toEqual({ confirmed: false })
    expect(await getJson(esplora, `/tx/${txid}/outspend/0`)).toEqual({ spent: false })
    expect(esplora.utxos(ALICE.address!).map((u) => u.value)).toEqual([150_000n, 20_000n])

    expect((await get(esplora, `/tx/${'ab'.repeat(32)}`)).status).toBe(404)
    expect((await get(esplora, '/address/not-an-address/utxo')).status).toBe(400)
    // Wrong network: a mainnet address on a regtest server.
    const mainnetAddr = payments.p2wpkh({ pubkey: alice.publicKey }).address!
    expect((await get(esplora, `/address/${mainnetAddr}`)).status).toBe(400)
    await expect(esplora.fund(mainnetAddr, 1000n)).rejects.toThrow(/regtest address/)
  })

  it('mine() confirms every mempool tx in the next block and advances the tip', async () => {
    const coin = await fundCoin(esplora, 'p2wpkh', alice, 100_000n, false)
    const spend = await signSpend(esplora, [coin], [{ address: BOB, value: 99_000n }])
    await expectAccepted(esplora, spend)
    const oldTip = esplora.tipHash

    const [hash, second] = esplora.mine(2)
    expect(second).toBeDefined()
    expect((await get(esplora, '/blocks/tip/height')).text).toBe('102')
    expect((await get(esplora, '/blocks/tip/hash')).text).toBe(second)
    const block101 = await getJson(esplora, `/block/${hash}`)
    expect(block101).toMatchObject({ height: 101, previousblockhash: oldTip, tx_count: 2 })
    expect(await getJson(esplora, `/block/${hash}/txids`)).toEqual([coin.txid, spend.txid])
    expect(await getJson(esplora, `/tx/${spend.txid}/status`)).toEqual({
      confirmed: true,
      block_height: 101,
      block_hash: hash,
      block_time: block101.timestamp,
    })
    expect(await getJson(esplora, `/address/${BOB}/utxo`)).toEqual([
      {
        txid: spend.txid,
        vout: 0,
        value: 99_000,
        status: { confirmed: true, block_height: 101, block_hash: hash, block_time: block101.timestamp },
      },
    ])
    expect(esplora.transactions().map((t) => [t.txid, t.height])).toEqual([
      [coin.txid, 101],
      [spend.txid, 101],
    ])
  })

  it('serves and updates fee estimates', async () => {
    expect(await getJson(esplora, '/fee-estimates')).toEqual({ '1': 20, '3': 10, '6': 5, '144': 1 })
    esplora.setFeeEstimates({ '2': 87.882, '6': 12.5, '1008': 1.027 })
    expect(await getJson(esplora, '/fee-estimates')).toEqual({ '2': 87.882, '6': 12.5, '1008': 1.027 })
  })

  it('counts HTTP requests', async () => {
    expect(esplora.requests).toBe(0)
    await get(esplora, '/blocks/tip/height')
    await get(esplora, '/fee-estimates')
    await broadcast(esplora, 'zz')
    await get(esplora, '/no/such/path')
    expect(esplora.requests).toBe(4)
    expect(esplora.requestLog).toEqual(['GET /blocks/tip/height', 'GET /fee-estimates', 'POST /tx', 'GET /no/such/path'])
    esplora.resetRequests()
    expect(esplora.requests).toBe(0)
    expect(esplora.requestLog).toEqual([])
  })
})

describe('esplora-server: broadcast accepts correctly signed spends and moves UTXOs', () => {
  it('P2WPKH', async () => {
    const coin = await fundCoin(esplora, 'p2wpkh', alice, 100_000n)
    const spend = await signSpend(
      esplora,
      [coin],
      [
        { address: BOB, value: 60_000n },
        { address: ALICE.address!, value: 39_000n },
      ],
    )
    await expectAccepted(esplora, spend)

    expect(esplora.utxos(ALICE.address!)).toEqual([
      {
        txid: spend.txid,
        vout: 1,
        value: 39_000n,
        scriptPubKey: Buffer.from(ALICE.output!).toString('hex'),
        address: ALICE.address,
        height: null,
      },
    ])
    expect(esplora.utxos(BOB).map((u) => [u.txid, u.vout, u.value, u.height])).toEqual([[spend.txid, 0, 60_000n, null]])
    const record = esplora.transactions().find((t) => t.txid === spend.txid)!
    expect(record).toMatchObject({ fee: 1_000n, height: null, synthetic: false, hex: spend.hex, vsize: spend.tx.virtualSize() })

    const tx = await getJson(esplora, `/tx/${spend.txid}`)
    expect(tx).toMatchObject({
      txid: spend.txid,
      fee: 1_000,
      size: spend.tx.byteLength(),
      weight: spend.tx.weight(),
      status: { confirmed: false },
      vin: [
        {
          txid: coin.txid,
          vout: 0,
          sequence: 0xfffffffd,
          is_coinbase: false,
          prevout: { scriptpubkey_address: ALICE.address, value: 100_000, scriptpubkey_type: 'v0_p2wpkh' },
        },
      ],
      vout: [
        { scriptpubkey_address: BOB, value: 60_000 },
        { scriptpubkey_address: ALICE.address, value: 39_000 },
      ],
    })
    expect(tx.vin[0].witness).toHaveLength(2)
    expect((await get(esplora, `/tx/${spend.txid}/hex`)).text).toBe(spend.hex)
    expect(await getJson(esplora, `/tx/${coin.txid}/outspend/0`)).toEqual({
      spent: true,
      txid: spend.txid,
      vin: 0,
      status: { confirmed: false },
    })
    expect(await getJson(esplora, '/mempool/txids')).toEqual([spend.txid])
    // Re-broadcasting the same tx is idempotent, as in Bitcoin Core.
    await expectAccepted(esplora, spend)
    expect(esplora.broadcasts.map((b) => b.accepted)).toEqual([true, true])
  })

  it('P2TR key path (BIP-86 tweaked signer)', async () => {
    const coin = await fundCoin(esplora, 'p2tr', alice, 50_000n)
    const addr = paymentFor('p2tr', alice).address!
    expect(addr).toMatch(/^bcrt1p/)
    const spend = await signSpend(esplora, [coin], [{ address: BOB, value: 49_500n }])
    expect(spend.tx.ins[0]!.witness[0]).toHaveLength(64) // SIGHASH_DEFAULT
    await expectAccepted(esplora, spend)
    expect(esplora.utxos(addr)).toEqual([])
    expect(esplora.utxos(BOB).map((u) => u.value)).toEqual([49_500n])
    expect((await getJson(esplora, `/tx/${spend.txid}`)).vin[0].prevout.scriptpubkey_type).toBe('v1_p2tr')
  })

  it('P2PKH (nonWitnessUtxo from GET /tx/:txid/hex)', async () => {
    const coin = await fundCoin(esplora, 'p2pkh', alice, 80_000n)
    const addr = paymentFor('p2pkh', alice).address!
    const spend = await signSpend(esplora, [coin], [{ address: addr, value: 79_000n }])
    expect(spend.tx.hasWitnesses()).toBe(false)
    await expectAccepted(esplora, spend)
    expect(esplora.utxos(addr).map((u) => [u.txid, u.value])).toEqual([[spend.txid, 79_000n]])
  })

  it('P2SH-P2WPKH', async () => {
    const coin = await fundCoin(esplora, 'p2sh-p2wpkh', alice, 70_000n)
    const addr = paymentFor('p2sh-p2wpkh', alice).address!
    expect(addr).toMatch(/^2/)
    const spend = await signSpend(esplora, [coin], [{ address: BOB, value: 69_000n }])
    await expectAccepted(esplora, spend)
    const tx = await getJson(esplora, `/tx/${spend.txid}`)
    expect(tx.vin[0].inner_redeemscript_asm).toMatch(/^OP_0 OP_PUSHBYTES_20 [0-9a-f]{40}$/)
    expect(esplora.utxos(addr)).toEqual([])
  })

  it('a tx spending all four kinds at once (taproot sighash commits to every prevout)', async () => {
    const coins = [
      await fundCoin(esplora, 'p2wpkh', alice, 10_000n),
      await fundCoin(esplora, 'p2tr', bob, 20_000n),
      await fundCoin(esplora, 'p2pkh', alice, 30_000n),
      await fundCoin(esplora, 'p2sh-p2wpkh', bob, 40_000n),
    ]
    const spend = await signSpend(esplora, coins, [{ address: BOB, value: 98_000n }])
    await expectAccepted(esplora, spend)
    expect(esplora.transactions().at(-1)!.fee).toBe(2_000n)
  })
})

describe('esplora-server: broadcast rejections', () => {
  it('a tampered signature is rejected 400 with the failing rule, and nothing moves', async () => {
    const coin = await fundCoin(esplora, 'p2wpkh', alice, 100_000n)
    const spend = await signSpend(esplora, [coin], [{ address: BOB, value: 99_000n }])

    // Flip a bit inside r (byte 5 of the DER signature; keeps the DER valid).
    const flipped = withWitnessSig(spend.tx, (sig) => {
      sig[5]! ^= 0x01
      return sig
    })
    const text = await expectRejected(esplora, flipped, /mandatory-script-verify-flag-failed/)
    expect(text).toMatch(/input 0 \(p2wpkh\)/)
    expect(text).toMatch(/does not verify/)

    // Change an output after signing: the signature no longer commits to the tx.
    const moved = spend.tx.clone()
    moved.outs[0]!.value = 98_000n
    await expectRejected(esplora, moved.toHex(), /does not verify.*: input 0 \(p2wpkh\)"\}$/)

    // The same signature with S replaced by n − S (valid ECDSA, but high-S).
    const highS = withWitnessSig(spend.tx, (sig) => {
      const { signature, hashType } = bscript.signature.decode(sig)
      const s = BigInt(`0x${Buffer.from(signature.subarray(32)).toString('hex')}`)
      const flippedS = Buffer.from((N - s).toString(16).padStart(64, '0'), 'hex')
      return bscript.signature.encode(Uint8Array.from([...signature.subarray(0, 32), ...flippedS]), hashType)
    })
    await expectRejected(esplora, highS, /S value is unnecessarily high/)

    // Alice's signature presented with Bob's pubkey: the key does not hash to the output's program.
    const wrongKey = spend.tx.clone()
    wrongKey.setWitness(0, [spend.tx.ins[0]!.witness[0]!, bob.publicKey])
    await expectRejected(esplora, wrongKey.toHex(), /hash160\(pubkey\) does not match/)

    // Not DER at all.
    await expectRejected(
      esplora,
      withWitnessSig(spend.tx, () => Uint8Array.from([0x30, 0x01, 0x01])),
      /Non-canonical DER/,
    )

    expect(esplora.utxos(ALICE.address!).map((u) => u.txid)).toEqual([coin.txid])
    expect(esplora.transactions().map((t) => t.txid)).toEqual([coin.txid])
    expect(esplora.broadcasts.every((b) => !b.accepted)).toBe(true)

    // The untampered original still goes through.
    await expectAccepted(esplora, spend)
  })

  it('tampered P2TR, P2PKH and P2SH-P2WPKH signatures are rejected too', async () => {
    const tr = await fundCoin(esplora, 'p2tr', alice, 50_000n)
    const trSpend = await signSpend(esplora, [tr], [{ address: BOB, value: 49_000n }])
    const badTr = withWitnessSig(trSpend.tx, (sig) => {
      sig[40]! ^= 0x01
      return sig
    })
    await expectRejected(esplora, badTr, /Invalid Schnorr signature.*input 0 \(p2tr\)/)
    // An untweaked signer: valid Schnorr by the internal key, not by the output key.
    const untweaked = trSpend.tx.clone()
    const hash = untweaked.hashForWitnessV1(0, [paymentFor('p2tr', alice).output!], [50_000n], Transaction.SIGHASH_DEFAULT)
    untweaked.setWitness(0, [alice.signSchnorr(hash)])
    await expectRejected(esplora, untweaked.toHex(), /Invalid Schnorr signature/)

    const pkh = await fundCoin(esplora, 'p2pkh', alice, 50_000n)
    const pkhSpend = await signSpend(esplora, [pkh], [{ address: BOB, value: 49_000n }])
    const badPkh = pkhSpend.tx.clone()
    const [sig, pubkey] = bscript.decompile(badPkh.ins[0]!.script) as [Uint8Array, Uint8Array]
    const badSig = Uint8Array.from(sig)
    badSig[6]! ^= 0x01
    badPkh.setInputScript(0, bscript.compile([badSig, pubkey]))
    await expectRejected(esplora, badPkh.toHex(), /input 0 \(p2pkh\)/)

    const sh = await fundCoin(esplora, 'p2sh-p2wpkh', alice, 50_000n)
    const shSpend = await signSpend(esplora, [sh], [{ address: BOB, value: 49_000n }])
    const badSh = withWitnessSig(shSpend.tx, (s) => {
      s[7]! ^= 0x01
      return s
    })
    await expectRejected(esplora, badSh, /input 0 \(p2sh-p2wpkh\)/)
    // A redeem script for a different key than the P2SH output commits to.
    const otherRedeem = shSpend.tx.clone()
    otherRedeem.setInputScript(0, bscript.compile([payments.p2wpkh({ pubkey: bob.publicKey }).output!]))
    await expectRejected(esplora, otherRedeem.toHex(), /hash160\(redeem script\) does not match/)

    expect(esplora.transactions().every((t) => t.synthetic)).toBe(true)
  })

  it('double spends: against a confirmed spend, a non-RBF mempool spend, and unknown inputs', async () => {
    const coin = await fundCoin(esplora, 'p2wpkh', alice, 100_000n)
    const first = await signSpend(esplora, [coin], [{ address: BOB, value: 99_000n }], 0xffffffff) // no RBF
    const second = await signSpend(esplora, [coin], [{ address: ALICE.address!, value: 90_000n }], 0xffffffff)
    await expectAccepted(esplora, first)
    await expectRejected(esplora, second.hex, /txn-mempool-conflict.*does not signal BIP-125/)

    esplora.mine()
    await expectRejected(esplora, second.hex, /bad-txns-inputs-missingorspent.*already spent by confirmed tx/)
    await expectRejected(esplora, first.hex, /Transaction already in block chain/)

    const ghost = { ...coin, txid: 'cd'.repeat(32) }
    const fromNowhere = await signSpend(esplora, [ghost], [{ address: BOB, value: 99_000n }])
    const text = await expectRejected(esplora, fromNowhere.hex, /bad-txns-inputs-missingorspent/)
    expect(text).toContain('"code":-25')
  })

  it('BIP-125: a replacement paying enough is accepted and evicts the original; too little is rejected', async () => {
    const coin = await fundCoin(esplora, 'p2wpkh', alice, 100_000n)
    const original = await signSpend(esplora, [coin], [{ address: BOB, value: 99_000n }]) // fee 1000, signals RBF
    await expectAccepted(esplora, original)
    const vsize = original.tx.virtualSize() // replacements below have the same shape

    // Fee 1050: higher, but less than 1000 + vsize × 1 sat/vB (rule 4).
    const stingy = await signSpend(esplora, [coin], [{ address: BOB, value: 98_950n }])
    await expectRejected(esplora, stingy.hex, /insufficient fee.*not enough additional fees to relay; 50 < \d+/)
    // Fee 900: less than the original (rule 3 / feerate).
    const cheaper = await signSpend(esplora, [coin], [{ address: BOB, value: 99_100n }])
    await expectRejected(esplora, cheaper.hex, /insufficient fee, rejecting replacement/)

    // Fee 1000 + vsize: exactly enough.
    const bumped = await signSpend(esplora, [coin], [{ address: BOB, value: 99_000n - BigInt(vsize) }])
    await expectAccepted(esplora, bumped)
    expect(esplora.broadcasts.at(-1)).toMatchObject({ accepted: true, replaced: [original.txid] })
    expect((await get(esplora, `/tx/${original.txid}`)).status).toBe(404)
    expect(esplora.utxos(BOB).map((u) => [u.txid, u.value])).toEqual([[bumped.txid, 99_000n - BigInt(vsize)]])
    expect(await getJson(esplora, `/tx/${coin.txid}/outspend/0`)).toMatchObject({ spent: true, txid: bumped.txid })
    expect(esplora.transactions().map((t) => t.txid)).toEqual([coin.txid, bumped.txid])
  })

  it('BIP-125: replacing a parent evicts its descendants, whose fees count too', async () => {
    const coin = await fundCoin(esplora, 'p2wpkh', alice, 100_000n)
    const parent = await signSpend(esplora, [coin], [{ address: BOB, value: 99_000n }])
    await expectAccepted(esplora, parent)
    const child = await signSpend(
      esplora,
      [{ txid: parent.txid, vout: 0, value: 99_000n, kind: 'p2wpkh', key: bob }],
      [{ address: BOB, value: 94_000n }],
    )
    await expectAccepted(esplora, child) // fee 5000

    // Beats the parent's fee by plenty, but not parent + child (6000).
    const notEnough = await signSpend(esplora, [coin], [{ address: ALICE.address!, value: 95_000n }])
    await expectRejected(esplora, notEnough.hex, /less fees than conflicting txs; 5000 < 6000/)
    const enough = await signSpend(esplora, [coin], [{ address: ALICE.address!, value: 93_000n }])
    await expectAccepted(esplora, enough)
    expect(esplora.broadcasts.at(-1)!.replaced?.sort()).toEqual([parent.txid, child.txid].sort())
    expect(esplora.utxos(BOB)).toEqual([])
  })

  it('amounts: outputs above inputs, dust, and below the min relay fee', async () => {
    const coin = await fundCoin(esplora, 'p2wpkh', alice, 10_000n)
    // Psbt refuses to build this one, so sign it by hand (BIP-143 sighash, DER + hash type).
    const over = new Transaction()
    over.version = 2
    over.addInput(Buffer.from(coin.txid, 'hex').reverse(), coin.vout, 0xfffffffd)
    over.addOutput(payments.p2wpkh({ address: BOB, network }).output!, 10_001n)
    const scriptCode = payments.p2pkh({ hash: ALICE.hash!, network }).output!
    const sighash = over.hashForWitnessV0(0, scriptCode, coin.value, Transaction.SIGHASH_ALL)
    over.setWitness(0, [bscript.signature.encode(alice.sign(sighash), Transaction.SIGHASH_ALL), alice.publicKey])
    await expectRejected(esplora, over.toHex(), /bad-txns-in-belowout, value in \(10000 sat\) < value out \(10001 sat\)/)
    const dust = await signSpend(
      esplora,
      [coin],
      [
        { address: BOB, value: 293n },
        { address: ALICE.address!, value: 9_000n },
      ],
    )
    await expectRejected(esplora, dust.hex, /dust: output 0 \(v0_p2wpkh\) pays 293 sat, below the dust threshold of 294 sat/)
    const p2pkhDust = await signSpend(esplora, [coin], [{ address: paymentFor('p2pkh', bob).address!, value: 545n }])
    await expectRejected(esplora, p2pkhDust.hex, /threshold of 546 sat/)
    const trDust = await signSpend(esplora, [coin], [{ address: paymentFor('p2tr', bob).address!, value: 329n }])
    await expectRejected(esplora, trDust.hex, /threshold of 330 sat/)
    const shDust = await signSpend(esplora, [coin], [{ address: paymentFor('p2sh-p2wpkh', bob).address!, value: 539n }])
    await expectRejected(esplora, shDust.hex, /threshold of 540 sat/)
    const free = await signSpend(esplora, [coin], [{ address: BOB, value: 9_950n }])
    await expectRejected(esplora, free.hex, /min relay fee not met, 50 < \d+/)
    await expectRejected(esplora, 'nothex', /TX decode failed/)
    await expectRejected(esplora, '0200000000', /TX decode failed/)
  })

  it('rejectNext(): the next broadcast fails without validation, the one after succeeds', async () => {
    const coin = await fundCoin(esplora, 'p2wpkh', alice, 100_000n)
    const spend = await signSpend(esplora, [coin], [{ address: BOB, value: 99_000n }])
    esplora.rejectNext('bad-txns-inputs-missingorspent')
    esplora.rejectNext('overloaded', { status: 503 })
    const res = await broadcast(esplora, spend.hex)
    expect(res).toEqual({
      status: 400,
      text: 'sendrawtransaction RPC error: {"code":-26,"message":"bad-txns-inputs-missingorspent"}',
    })
    expect(await broadcast(esplora, spend.hex)).toEqual({ status: 503, text: 'overloaded' })
    expect(esplora.utxos(BOB)).toEqual([])
    await expectAccepted(esplora, spend)
    expect(esplora.broadcasts.map((b) => [b.txid, b.accepted])).toEqual([
      [spend.txid, false],
      [spend.txid, false],
      [spend.txid, true],
    ])
  })
})

describe('esplora-server: address history', () => {
  it('/address/:a/txs shows both directions, mempool first, newest first', async () => {
    const coin = await fundCoin(esplora, 'p2wpkh', alice, 100_000n)
    const spend = await signSpend(
      esplora,
      [coin],
      [
        { address: BOB, value: 60_000n },
        { address: ALICE.address!, value: 39_000n },
      ],
    )
    await expectAccepted(esplora, spend)

    const txs = await getJson<any[]>(esplora, `/address/${ALICE.address}/txs`)
    expect(txs.map((t) => [t.txid, t.status.confirmed])).toEqual([
      [spend.txid, false],
      [coin.txid, true],
    ])
    // Outgoing: Alice's address is a spent prevout; incoming: an output to it.
    expect(txs[0].vin[0].prevout.scriptpubkey_address).toBe(ALICE.address)
    expect(txs[1].vout[0].scriptpubkey_address).toBe(ALICE.address)
    expect((await getJson<any[]>(esplora, `/address/${BOB}/txs`)).map((t) => t.txid)).toEqual([spend.txid])
    expect((await getJson<any[]>(esplora, `/address/${ALICE.address}/txs/mempool`)).map((t) => t.txid)).toEqual([spend.txid])
    expect((await getJson<any[]>(esplora, `/address/${ALICE.address}/txs/chain`)).map((t) => t.txid)).toEqual([coin.txid])

    expect(await getJson(esplora, `/address/${ALICE.address}`)).toMatchObject({
      chain_stats: { funded_txo_count: 1, funded_txo_sum: 100_000, spent_txo_count: 0, spent_txo_sum: 0, tx_count: 1 },
      mempool_stats: { funded_txo_count: 1, funded_txo_sum: 39_000, spent_txo_count: 1, spent_txo_sum: 100_000, tx_count: 1 },
    })
    esplora.mine()
    expect(await getJson(esplora, `/address/${ALICE.address}`)).toMatchObject({
      chain_stats: { funded_txo_count: 2, funded_txo_sum: 139_000, spent_txo_count: 1, spent_txo_sum: 100_000, tx_count: 2 },
      mempool_stats: { funded_txo_count: 0, funded_txo_sum: 0, spent_txo_count: 0, spent_txo_sum: 0, tx_count: 0 },
    })
    expect((await getJson<any[]>(esplora, `/address/${ALICE.address}/txs`)).map((t) => t.txid)).toEqual([spend.txid, coin.txid])
  })

  it('pages confirmed history 25 at a time via /txs/chain/:last_seen_txid', async () => {
    const funded: string[] = []
    for (let i = 0; i < 30; i++) {
      funded.push((await esplora.fund(BOB, BigInt(1_000 + i))).txid)
      esplora.mine()
    }
    const newestFirst = [...funded].reverse()
    const page1 = (await getJson<any[]>(esplora, `/address/${BOB}/txs`)).map((t) => t.txid)
    expect(page1).toEqual(newestFirst.slice(0, 25))
    const page2 = (await getJson<any[]>(esplora, `/address/${BOB}/txs/chain/${page1[24]}`)).map((t) => t.txid)
    expect(page2).toEqual(newestFirst.slice(25))
    expect(await getJson(esplora, `/address/${BOB}/txs/chain/${page2[4]}`)).toEqual([])
  })
})

describe('esplora-server: lock time (IsFinalTx)', () => {
  it('refuses a tx locked past the next block unless every sequence is final; accepts one locked at the tip', async () => {
    const a = await fundCoin(esplora, 'p2wpkh', alice, 100_000n)
    const b = await fundCoin(esplora, 'p2wpkh', alice, 100_000n)
    const c = await fundCoin(esplora, 'p2wpkh', alice, 100_000n)
    const tip = esplora.tipHeight
    const future = await signSpend(esplora, [a], [{ address: BOB, value: 99_000n }], 0xfffffffd, tip + 1)
    await expectRejected(esplora, future.hex, /non-final: nLockTime 101 is not reached at height 101/)
    const atTip = await signSpend(esplora, [a], [{ address: BOB, value: 99_000n }], 0xfffffffd, tip)
    await expectAccepted(esplora, atTip)
    const finalSequences = await signSpend(esplora, [b], [{ address: BOB, value: 99_000n }], 0xffffffff, tip + 50)
    await expectAccepted(esplora, finalSequences)
    // Mining makes the lock time reachable.
    const later = await signSpend(esplora, [c], [{ address: BOB, value: 99_000n }], 0xfffffffd, tip + 1)
    await expectRejected(esplora, later.hex, /non-final/)
    esplora.mine()
    await expectAccepted(esplora, later)
    expect(esplora.utxos(BOB).map((u) => u.value)).toEqual([99_000n, 99_000n, 99_000n])
  })
})

describe('esplora-server: faults and lies', () => {
  it("'before' answers in place of the server for `times` requests; the request is counted and logged", async () => {
    const remove = esplora.addFault({
      method: 'GET',
      path: /^\/blocks\/tip\/height$/,
      fault: { status: 429, body: 'slow down', headers: { 'retry-after': '3600' } },
      times: 2,
    })
    for (const prefix of ['', '/api']) {
      const res = await fetch(`${esplora.url}${prefix}/blocks/tip/height`)
      expect([res.status, res.headers.get('retry-after'), await res.text()]).toEqual([429, '3600', 'slow down'])
    }
    expect(await get(esplora, '/blocks/tip/height')).toEqual({ status: 200, text: '100' })
    expect(esplora.faultLog).toEqual(['GET /blocks/tip/height → 429', 'GET /blocks/tip/height → 429'])
    expect(esplora.requests).toBe(3)
    remove()
  })

  it("'after' on POST /tx: the server accepts the tx into its mempool, then answers 502", async () => {
    const coin = await fundCoin(esplora, 'p2wpkh', alice, 100_000n)
    const spend = await signSpend(esplora, [coin], [{ address: BOB, value: 99_000n }])
    esplora.addFault({ method: 'POST', path: /^\/tx$/, when: 'after', fault: { status: 502, body: 'Bad Gateway' } })
    expect(await broadcast(esplora, spend.hex)).toEqual({ status: 502, text: 'Bad Gateway' })
    expect(esplora.broadcasts.map((b) => [b.txid, b.accepted])).toEqual([[spend.txid, true]])
    expect(esplora.utxos(BOB)).toMatchObject([{ txid: spend.txid, value: 99_000n, height: null }])
    expect((await get(esplora, `/tx/${spend.txid}`)).status).toBe(200)
  })

  it("'hang' never answers (the client's timeout ends it) and 'reset' drops the connection; with 'after', the tx is in", async () => {
    const one = await fundCoin(esplora, 'p2wpkh', alice, 100_000n)
    const two = await fundCoin(esplora, 'p2wpkh', alice, 100_000n)
    const first = await signSpend(esplora, [one], [{ address: BOB, value: 99_000n }])
    const second = await signSpend(esplora, [two], [{ address: BOB, value: 98_000n }])
    const hang = esplora.addFault({ method: 'POST', path: /^\/tx$/, when: 'after', fault: 'hang', times: 1 })
    await expect(fetch(`${esplora.url}/tx`, { method: 'POST', body: first.hex, signal: AbortSignal.timeout(300) })).rejects.toThrow(
      /abort|timeout/i,
    )
    hang()
    esplora.addFault({ method: 'POST', path: /^\/tx$/, when: 'after', fault: 'reset', times: 1 })
    await expect(fetch(`${esplora.url}/tx`, { method: 'POST', body: second.hex })).rejects.toThrow(/fetch failed/)
    expect(esplora.broadcasts.map((b) => [b.txid, b.accepted])).toEqual([
      [first.txid, true],
      [second.txid, true],
    ])
    expect(
      esplora
        .utxos(BOB)
        .map((u) => u.value)
        .sort(),
    ).toEqual([98_000n, 99_000n])
    esplora.addFault({ path: /./, fault: 'hang' })
    await expect(fetch(`${esplora.url}/blocks/tip/height`, { signal: AbortSignal.timeout(200) })).rejects.toThrow(/abort|timeout/i)
    esplora.clearFaults()
    expect(await get(esplora, '/blocks/tip/height')).toEqual({ status: 200, text: '100' })
  })

  it('setRewrite edits answers on the way out (a lying server); the chain itself is unchanged', async () => {
    const coin = await fundCoin(esplora, 'p2wpkh', alice, 100_000n)
    esplora.setRewrite(({ path }, { body }) => (path.endsWith('/utxo') ? body.replace('100000', '1000') : undefined))
    expect(await getJson(esplora, `/address/${ALICE.address}/utxo`)).toMatchObject([{ txid: coin.txid, value: 1_000 }])
    expect(esplora.utxos(ALICE.address)).toMatchObject([{ value: 100_000n }])
    esplora.clearFaults()
    expect(await getJson(esplora, `/address/${ALICE.address}/utxo`)).toMatchObject([{ value: 100_000 }])
  })
})
