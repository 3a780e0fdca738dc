// Official / upstream vectors for EVM signing (test/vectors/evm-transactions.json, sources
// with commits in that file): EIP-155 legacy, EIP-2930 and EIP-1559 transactions through
// signEvmTransaction, EIP-712 through signTypedData, EIP-191 through signMessage; then the
// malformed payloads and wrong signers signEvmTransaction must refuse. Offline: no RPC.
import { ed25519 } from '@noble/curves/ed25519.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { describe, expect, it } from 'vitest'
import {
  bytesToHex,
  getAddress,
  hashDomain,
  hashStruct,
  hashTypedData,
  hexToBytes,
  hexToBigInt,
  keccak256,
  numberToHex,
  recoverAddress,
  serializeTransaction,
  toBytes,
  type Hex,
  type TypedDataDefinition,
} from 'viem'
import {
  InvalidArgumentError,
  signEvmTransaction,
  signMessage,
  signTypedData,
  toSerializable,
  type EvmTransactionPayload,
  type Json,
  type UnsignedTransaction,
} from 'coffer/evm'
import { KeyHandle, type Secp256k1Signer } from 'coffer/keys'
import { createEd25519Signer, createSecp256k1Signer } from '../../../src/keys/signer.js'
import { evmAddressFromPublicKey } from '../../../src/keys/address/evm.js'
import file from '../../vectors/evm-transactions.json'

// ---- vector file shapes ---------------------------------------------------------------

interface TxVectorBase {
  name: string
  tx: EvmTransactionPayload
  /** Signed transaction bytes. */
  raw?: Hex
  /** keccak256 of the signed bytes. */
  hash?: Hex
  /** Unsigned serialisation / its keccak256 (what gets signed). */
  signingData?: Hex
  signingHash?: Hex
}
interface SignVector extends TxVectorBase {
  mode: 'sign'
  privateKey: Hex
  v?: number
  r?: string
  s?: string
  rHex?: Hex
  sHex?: Hex
}
interface ReplayVector extends TxVectorBase {
  mode: 'replay'
  signature: { r: Hex; s: Hex; yParity: 0 | 1; v?: number }
  sender?: Hex
}
type TxVector = SignVector | ReplayVector
interface TxGroup {
  source: string | Record<string, string>
  vectors: TxVector[]
}
interface Eip712Vector {
  name: string
  privateKeyPreimage: string
  privateKey: Hex
  address: Hex
  typedData: TypedDataDefinition & { domain: Record<string, unknown>; types: Record<string, { name: string; type: string }[]> }
  encodeType: string
  typeHash: Hex
  structHash: Hex
  domainSeparator: Hex
  digest: Hex
  v: number
  r: Hex
  s: Hex
}
interface Eip191Vector {
  name: string
  privateKey: Hex
  message: { text: string } | { hex: Hex }
  signature: Hex
  address?: Hex
}
interface VectorFile {
  eip155: TxGroup
  eip155Vitalik: TxGroup
  eip2930: TxGroup
  eip1559: TxGroup
  legacyEip155Extra: TxGroup
  eip712: { source: Record<string, string>; vectors: Eip712Vector[] }
  eip191: { source: Record<string, string>; vectors: Eip191Vector[] }
}

const vectors = file as unknown as VectorFile

// ---- helpers ----------------------------------------------------------------------------

/** A coffer signer over a raw private key, as the brief prescribes. */
function keySigner(privateKey: Hex): Secp256k1Signer {
  const keyBytes = hexToBytes(privateKey)
  const publicKey = secp256k1.getPublicKey(keyBytes, true)
  return createSecp256k1Signer(new KeyHandle(keyBytes), { chain: 'evm', address: evmAddressFromPublicKey(publicKey), publicKey })
}

/** Wraps a signer and records every digest it is asked to sign. */
function recording(signer: Secp256k1Signer): { signer: Secp256k1Signer; digests: Hex[] } {
  const digests: Hex[] = []
  return {
    digests,
    signer: {
      ...signer,
      chain: signer.chain,
      curve: signer.curve,
      address: signer.address,
      publicKey: signer.publicKey,
      path: signer.path,
      signSchnorr: signer.signSchnorr,
      async signDigest(digest: Uint8Array) {
        digests.push(bytesToHex(digest))
        return signer.signDigest(digest)
      },
    },
  }
}

/**
 * A stub signer that answers with a vector's fixed signature (for sources whose signature
 * cannot be reproduced from a key). It records the digest it was asked to sign.
 */
function replaySigner(address: string, signature: ReplayVector['signature']): { signer: Secp256k1Signer; digests: Hex[] } {
  const digests: Hex[] = []
  const signer: Secp256k1Signer = {
    curve: 'secp256k1',
    chain: 'evm',
    address,
    path: undefined,
    // Not used by signEvmTransaction; any valid point will do.
    publicKey: secp256k1.getPublicKey(new Uint8Array(32).fill(1), true),
    async signDigest(digest: Uint8Array) {
      digests.push(bytesToHex(digest))
      return { r: hexToBigInt(signature.r), s: hexToBigInt(signature.s), recovery: signature.yParity }
    },
    async signSchnorr() {
      throw new Error('not used')
    },
  }
  return { signer, digests }
}

/** A summary that tells the truth about a payload (what a reader must see before signing). */
function summaryOf(tx: EvmTransactionPayload): UnsignedTransaction['summary'] {
  const int = (v: unknown) => (typeof v === 'string' && /^\d+$/.test(v) ? BigInt(v) : 0n)
  const fee = int(tx.gas) * int(tx.maxFeePerGas ?? tx.gasPrice)
  const data = typeof tx.data === 'string' && tx.data !== '0x' ? { data: tx.data } : {}
  return {
    to: tx.to ?? '',
    asset: `eip155:${tx.chainId}/slip44:60`,
    amount: typeof tx.value === 'string' ? tx.value : '0',
    fee: fee.toString(),
    ...data,
  }
}

/** The UnsignedTransaction coffer would build for a payload (JSON round-tripped, as it travels). */
function unsignedFor(tx: EvmTransactionPayload, from: string): UnsignedTransaction {
  return {
    chainId: `eip155:${tx.chainId}`,
    kind: `evm-${tx.type}`,
    from,
    summary: summaryOf(tx),
    payload: JSON.parse(JSON.stringify(tx)) as { [key: string]: Json },
  }
}

const lower = (s: string) => s.toLowerCase()

const txGroups: [string, TxGroup][] = [
  ['EIP-155 (EIP text example)', vectors.eip155],
  ['EIP-155 (ethereum/tests Vitalik vectors)', vectors.eip155Vitalik],
  ['EIP-155 (viem, chain 69)', vectors.legacyEip155Extra],
  ['EIP-2930', vectors.eip2930],
  ['EIP-1559', vectors.eip1559],
]

// ---- transactions -----------------------------------------------------------------------

describe('EVM transaction signing vectors', () => {
  it('covers every group and mode', () => {
    const all = txGroups.flatMap(([, g]) => g.vectors)
    expect(vectors.eip155.vectors).toHaveLength(1)
    expect(vectors.eip155Vitalik.vectors).toHaveLength(10)
    expect(vectors.eip2930.vectors).toHaveLength(4)
    expect(vectors.eip1559.vectors).toHaveLength(2)
    expect(all.filter((v) => v.mode === 'sign').length).toBeGreaterThanOrEqual(5)
    expect(all.filter((v) => v.mode === 'replay').length).toBeGreaterThanOrEqual(13)
    for (const [, g] of txGroups) expect(g.source).toBeTruthy()
  })

  for (const [group, g] of txGroups) {
    describe(group, () => {
      it.each(g.vectors.map((v) => [v.name, v] as const))('%s', async (_name, v) => {
        const tx = toSerializable(v.tx)
        // The unsigned serialisation is what the source signs.
        if (v.signingData) expect(serializeTransaction(tx)).toBe(v.signingData)
        if (v.signingHash) expect(keccak256(serializeTransaction(tx))).toBe(v.signingHash)

        if (v.mode === 'sign') {
          const inner = keySigner(v.privateKey)
          const { signer, digests } = recording(inner)
          const signed = await signEvmTransaction(unsignedFor(v.tx, signer.address), signer)
          expect(digests).toHaveLength(1)
          if (v.signingHash) expect(digests[0]).toBe(v.signingHash)
          if (v.raw) expect(signed.raw).toBe(v.raw)
          if (v.hash) expect(signed.hash).toBe(v.hash)
          expect(signed.hash).toBe(keccak256(signed.raw as Hex))
          expect(signed.chainId).toBe(`eip155:${v.tx.chainId}`)
          expect(signed.kind).toBe(`evm-${v.tx.type}`)
          expect(signed.from).toBe(getAddress(signer.address))
          if (v.rHex && v.sHex && v.r && v.s) {
            // The EIP's decimal v, r, s and their hex forms are the same numbers.
            expect(BigInt(v.r)).toBe(hexToBigInt(v.rHex))
            expect(BigInt(v.s)).toBe(hexToBigInt(v.sHex))
            const sig = await inner.signDigest(hexToBytes(digests[0]!))
            expect(numberToHex(sig.r, { size: 32 })).toBe(v.rHex)
            expect(numberToHex(sig.s, { size: 32 })).toBe(v.sHex)
            expect(v.tx.chainId * 2 + 35 + sig.recovery).toBe(v.v)
          }
          return
        }

        // Replay: sign as the vector's sender (or, without one, as whoever the signature recovers to).
        const from =
          v.sender ??
          (await recoverAddress({ hash: v.signingHash!, signature: { r: v.signature.r, s: v.signature.s, yParity: v.signature.yParity } }))
        const { signer, digests } = replaySigner(getAddress(from), v.signature)
        const signed = await signEvmTransaction(unsignedFor(v.tx, from), signer)
        expect(digests).toHaveLength(1)
        const digest = digests[0]!
        if (v.signingHash) expect(digest).toBe(v.signingHash)
        if (v.sender) {
          // Recovering the source's sender from coffer's digest proves coffer hashed what the source signed.
          expect(
            lower(await recoverAddress({ hash: digest, signature: { r: v.signature.r, s: v.signature.s, yParity: v.signature.yParity } })),
          ).toBe(lower(v.sender))
        }
        if (v.raw) expect(signed.raw).toBe(v.raw)
        if (v.hash) expect(signed.hash).toBe(v.hash)
        expect(signed.hash).toBe(keccak256(signed.raw as Hex))
      })
    })
  }
})

// ---- EIP-712 ----------------------------------------------------------------------------

describe('EIP-712 vectors', () => {
  it.each(vectors.eip712.vectors.map((v) => [v.name, v] as const))('%s', async (_name, v) => {
    expect(keccak256(toBytes(v.privateKeyPreimage))).toBe(v.privateKey)
    const signer = keySigner(v.privateKey)
    expect(lower(signer.address)).toBe(v.address)

    // Intermediate values (checks the transcription of the typed data).
    const { types, domain, primaryType, message } = v.typedData as unknown as {
      types: Record<string, { name: string; type: string }[]>
      domain: Record<string, unknown>
      primaryType: string
      message: Record<string, unknown>
    }
    expect(keccak256(toBytes(v.encodeType))).toBe(v.typeHash)
    expect(hashDomain({ domain, types } as never)).toBe(v.domainSeparator)
    expect(hashStruct({ data: message, primaryType, types } as never)).toBe(v.structHash)
    expect(hashTypedData(v.typedData)).toBe(v.digest)

    const sig = await signTypedData(signer, v.typedData)
    expect(sig.v).toBe(v.v)
    expect(sig.r).toBe(v.r)
    expect(sig.s).toBe(v.s)
    expect(sig.yParity).toBe(v.v - 27)
    expect(sig.signature).toBe(`${v.r}${v.s.slice(2)}${v.v.toString(16)}`)
    expect(lower(await recoverAddress({ hash: v.digest, signature: sig.signature }))).toBe(v.address)
  })

  it('gives the same signature without an explicit EIP712Domain type (viem infers it from the domain)', async () => {
    const v = vectors.eip712.vectors[0]!
    const { EIP712Domain: _omit, ...types } = v.typedData.types
    const sig = await signTypedData(keySigner(v.privateKey), { ...v.typedData, types } as TypedDataDefinition)
    expect(sig.r).toBe(v.r)
    expect(sig.s).toBe(v.s)
    expect(sig.v).toBe(v.v)
  })
})

// ---- EIP-191 ----------------------------------------------------------------------------

describe('EIP-191 personal_sign vectors', () => {
  it.each(vectors.eip191.vectors.map((v) => [v.name, v] as const))('%s', async (_name, v) => {
    const signer = keySigner(v.privateKey)
    if (v.address) expect(lower(signer.address)).toBe(v.address)
    const message = 'text' in v.message ? v.message.text : { raw: v.message.hex }
    const sig = await signMessage(signer, message)
    expect(sig.signature).toBe(v.signature)
    expect(sig.r).toBe(v.signature.slice(0, 66))
    expect(sig.s).toBe(`0x${v.signature.slice(66, 130)}`)
    expect(sig.v).toBe(Number.parseInt(v.signature.slice(130), 16))
    expect(sig.yParity).toBe(sig.v - 27)
    if ('hex' in v.message) {
      // Same bytes given as a Uint8Array.
      expect((await signMessage(signer, hexToBytes(v.message.hex))).signature).toBe(v.signature)
    }
  })
})

// ---- refusals ---------------------------------------------------------------------------

describe('refusals', () => {
  const good: EvmTransactionPayload = {
    type: 'eip1559',
    chainId: 1,
    nonce: 0,
    to: '0x3535353535353535353535353535353535353535',
    value: '1',
    data: '0x',
    gas: '21000',
    maxFeePerGas: '2',
    maxPriorityFeePerGas: '1',
  }
  const signer = keySigner('0x4646464646464646464646464646464646464646464646464646464646464646')

  it('accepts the baseline payload', async () => {
    expect(() => toSerializable(good)).not.toThrow()
    await expect(signEvmTransaction(unsignedFor(good, signer.address), signer)).resolves.toMatchObject({ chainId: 'eip155:1' })
  })

  it('refuses a payload that does something other than its summary says', async () => {
    const base = unsignedFor(good, signer.address)
    const token = '0xdac17f958d2ee523a2206206994597c13d831ec7'
    const transfer = (to: string, amount: bigint) => `0xa9059cbb${to.slice(2).padStart(64, '0')}${amount.toString(16).padStart(64, '0')}`
    const tokenTx = {
      ...good,
      to: token as `0x${string}`,
      value: '0',
      data: transfer('0x3535353535353535353535353535353535353535', 5n) as `0x${string}`,
    }
    const tokenSummary = {
      to: '0x3535353535353535353535353535353535353535',
      asset: `eip155:1/erc20:${token}`,
      amount: '5',
      fee: '42000',
    } as UnsignedTransaction['summary']
    await expect(signEvmTransaction({ ...base, payload: tokenTx as never, summary: tokenSummary }, signer)).resolves.toMatchObject({
      chainId: 'eip155:1',
    })
    const cases: [string, UnsignedTransaction['summary']][] = [
      ['another recipient', { ...base.summary, to: '0x3636363636363636363636363636363636363636' }],
      ['another amount', { ...base.summary, amount: '2' }],
      ['a lower fee', { ...base.summary, fee: '41999' }],
      ['another asset', { ...base.summary, asset: `eip155:1/erc20:${token}` }],
    ]
    for (const [what, summary] of cases) {
      await expect(signEvmTransaction({ ...base, summary }, signer), what).rejects.toThrow(/summary does not match/)
    }
    await expect(
      signEvmTransaction(
        {
          ...base,
          payload: { ...tokenTx, data: transfer('0x3636363636363636363636363636363636363636', 5n) } as never,
          summary: tokenSummary,
        },
        signer,
      ),
    ).rejects.toThrow(/goes elsewhere/)
    await expect(signEvmTransaction({ ...base, payload: { ...good, data: '0xdeadbeef' } as never }, signer)).rejects.toThrow(
      /does not show/,
    )
    // Only exactly transfer(to, amount): a contract may read bytes or address bits the summary does not show.
    const exact = transfer('0x3535353535353535353535353535353535353535', 5n)
    const approve = `0x095ea7b3${exact.slice(10)}`
    const dirtyAddress = `0xa9059cbb${'ff'.repeat(12)}${exact.slice(34)}`
    for (const [what, data] of [
      ['bytes after the arguments', `${exact}00`],
      ['a dirty address word', dirtyAddress],
      ['approve instead of transfer', approve],
      ['a short amount word', exact.slice(0, -2)],
    ]) {
      await expect(
        signEvmTransaction({ ...base, payload: { ...tokenTx, data } as never, summary: tokenSummary }, signer),
        what,
      ).rejects.toThrow(/goes elsewhere/)
    }
    await expect(
      signEvmTransaction(
        { ...base, payload: { ...tokenTx, data: exact.toUpperCase().replace('0X', '0x') } as never, summary: tokenSummary },
        signer,
      ),
    ).resolves.toMatchObject({ chainId: 'eip155:1' })
    await expect(signEvmTransaction({ ...base, summary: undefined as never }, signer)).rejects.toThrow(/no valid summary/)
  })

  const malformed: [string, unknown][] = [
    ["type 'eip4844'", { ...good, type: 'eip4844' }],
    ['type missing', { ...good, type: undefined }],
    ['negative nonce', { ...good, nonce: -1 }],
    ['fractional nonce', { ...good, nonce: 1.5 }],
    ['nonce as a string', { ...good, nonce: '0' }],
    ["value '1.5'", { ...good, value: '1.5' }],
    ["value '-1'", { ...good, value: '-1' }],
    ["value '01' (leading zero)", { ...good, value: '01' }],
    ['value as a number', { ...good, value: 1 }],
    ["gas '0x10'", { ...good, gas: '0x10' }],
    ['data with an odd number of hex digits', { ...good, data: '0xabc' }],
    ['data without 0x', { ...good, data: 'abcd' }],
    ["gas ''", { ...good, gas: '' }],
    ['maxFeePerGas missing', { ...good, maxFeePerGas: undefined }],
    ['legacy without gasPrice', { ...good, type: 'legacy', maxFeePerGas: undefined, maxPriorityFeePerGas: undefined }],
    ["bad address '0x1234'", { ...good, to: '0x1234' }],
    ['to: 41 hex digits', { ...good, to: '0x35353535353535353535353535353535353535355' }],
    ['to: not hex', { ...good, to: '0xzz35353535353535353535353535353535353535' }],
    ["data 'zz'", { ...good, data: 'zz' }],
    ["data '0xzz'", { ...good, data: '0xzz' }],
    ['chainId 0', { ...good, chainId: 0 }],
    ['chainId -1', { ...good, chainId: -1 }],
    ["chainId '1'", { ...good, chainId: '1' }],
    ['accessList not an array', { ...good, accessList: {} }],
    ['accessList: short storage key', { ...good, accessList: [{ address: good.to, storageKeys: ['0x01'] }] }],
    ['accessList: bad address', { ...good, accessList: [{ address: '0x12', storageKeys: [] }] }],
    ['null payload', null],
    ['string payload', 'eip1559'],
    ['value 2^256 (past uint256)', { ...good, value: (2n ** 256n).toString() }],
    ['maxFeePerGas 2^256', { ...good, maxFeePerGas: (2n ** 256n).toString() }],
    ['maxPriorityFeePerGas above maxFeePerGas', { ...good, maxFeePerGas: '1', maxPriorityFeePerGas: '2' }],
    ['to with a wrong EIP-55 checksum', { ...good, to: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD' }],
    [
      'accessList on a legacy transaction',
      { ...good, type: 'legacy', gasPrice: '1', maxFeePerGas: undefined, maxPriorityFeePerGas: undefined, accessList: [] },
    ],
  ]
  it.each(malformed)('toSerializable rejects %s with InvalidArgumentError', (_name, payload) => {
    expect(() => toSerializable(payload)).toThrow(InvalidArgumentError)
  })

  it.each(malformed)('signEvmTransaction rejects %s with InvalidArgumentError', async (_name, payload) => {
    const unsigned = { ...unsignedFor(good, signer.address), payload: payload as { [key: string]: Json } }
    await expect(signEvmTransaction(unsigned, signer)).rejects.toThrow(InvalidArgumentError)
  })

  it('refuses a signer whose address differs from `from`', async () => {
    const other = keySigner('0x4545454545454545454545454545454545454545454545454545454545454545')
    const { signer: watched, digests } = recording(other)
    await expect(signEvmTransaction(unsignedFor(good, signer.address), watched)).rejects.toThrow(InvalidArgumentError)
    expect(digests).toHaveLength(0)
  })

  it('accepts `from` in any letter case', async () => {
    const signed = await signEvmTransaction(unsignedFor(good, signer.address.toLowerCase()), signer)
    expect(signed.from).toBe(getAddress(signer.address))
  })

  it('refuses non-EVM signers (secp256k1 for bitcoin / tron, ed25519)', async () => {
    const keyBytes = hexToBytes('0x4646464646464646464646464646464646464646464646464646464646464646')
    const publicKey = secp256k1.getPublicKey(keyBytes, true)
    for (const chain of ['bitcoin', 'tron'] as const) {
      // Same key and even the same `address` string: only the chain differs.
      const wrong = createSecp256k1Signer(new KeyHandle(keyBytes.slice()), { chain, address: signer.address, publicKey })
      await expect(signEvmTransaction(unsignedFor(good, signer.address), wrong)).rejects.toThrow(InvalidArgumentError)
    }
    const edKey = new Uint8Array(32).fill(9)
    const ed = createEd25519Signer(new KeyHandle(edKey), {
      chain: 'solana',
      address: signer.address,
      publicKey: ed25519.getPublicKey(edKey),
    })
    await expect(signEvmTransaction(unsignedFor(good, signer.address), ed)).rejects.toThrow(InvalidArgumentError)
    await expect(signEvmTransaction(unsignedFor(good, signer.address), null as never)).rejects.toThrow(InvalidArgumentError)
  })

  it('refuses a chainId mismatch between unsigned.chainId and payload.chainId', async () => {
    const { signer: watched, digests } = recording(signer)
    for (const chainId of ['eip155:5', 'eip155:01', 'eip155:1 ', 'bip122:000000000019d6689c085ae165831e93'] as const) {
      const unsigned = { ...unsignedFor(good, signer.address), chainId: chainId as UnsignedTransaction['chainId'] }
      await expect(signEvmTransaction(unsigned, watched)).rejects.toThrow(InvalidArgumentError)
    }
    const otherPayload = {
      ...unsignedFor({ ...good, chainId: 137 }, signer.address),
      chainId: 'eip155:1' as UnsignedTransaction['chainId'],
    }
    await expect(signEvmTransaction(otherPayload, watched)).rejects.toThrow(InvalidArgumentError)
    expect(digests).toHaveLength(0)
  })

  it('refuses a non-EVM kind', async () => {
    for (const kind of ['bitcoin-psbt', 'eip1559', '']) {
      await expect(signEvmTransaction({ ...unsignedFor(good, signer.address), kind }, signer)).rejects.toThrow(InvalidArgumentError)
    }
  })
})
