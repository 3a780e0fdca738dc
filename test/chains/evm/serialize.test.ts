// serializeEvmTransaction (src/chains/evm/serialize.ts) against two independent serialisers:
// random valid payloads of the three types (EIP-1559, EIP-2930, legacy with EIP-155), through
// toSerializable, unsigned and signed, must give viem's serializeTransaction bytes and ethers'
// Transaction.unsignedSerialized / .serialized; then fixed edge cases (contract creation,
// empty data, max uint256 value).
import fc from 'fast-check'
import { Signature, Transaction, type TransactionLike } from 'ethers'
import { bytesToHex, getAddress, numberToHex, parseTransaction, serializeTransaction, type Hex, type TransactionSerializable } from 'viem'
import { describe, expect, it } from 'vitest'
import { toSerializable, type EvmTransactionPayload } from 'coffer/evm'
import { serializeEvmTransaction, type TransactionSignature } from '../../../src/chains/evm/serialize.js'
import { selfPayment } from './helpers.js'

const MAX_UINT256 = 2n ** 256n - 1n
/** secp256k1 group order. */
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n

type Type = EvmTransactionPayload['type']
const TYPE_NUMBER: Record<Type, number> = { legacy: 0, eip2930: 1, eip1559: 2 }

const hex = (bytes: Uint8Array): Hex => bytesToHex(bytes)
const mixCase = (h: string, upper: boolean[]): string => [...h].map((c, i) => (upper[i % upper.length] ? c.toUpperCase() : c)).join('')

// ---- arbitraries -------------------------------------------------------------------------

const uint256 = fc.oneof(
  fc.bigInt({ min: 0n, max: MAX_UINT256 }),
  fc.constantFrom(0n, 1n, 0x7fn, 0x80n, 0xffn, 0x100n, MAX_UINT256),
  fc.bigInt({ min: 0n, max: 2n ** 64n }),
)

/** An address: lower case, EIP-55 checksummed or upper case (all accepted by toSerializable). */
const address: fc.Arbitrary<`0x${string}`> = fc
  .tuple(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.constantFrom('lower', 'checksum', 'upper'))
  .map(([bytes, style]) => {
    const lower = hex(bytes)
    if (style === 'checksum') return getAddress(lower)
    if (style === 'upper') return `0x${lower.slice(2).toUpperCase()}` as `0x${string}`
    return lower
  })

/** Call data of 0..300 bytes, hex digits in either case. */
const data: fc.Arbitrary<Hex> = fc
  .tuple(fc.uint8Array({ minLength: 0, maxLength: 300 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }))
  .map(([bytes, upper]) => `0x${mixCase(hex(bytes).slice(2), upper)}` as Hex)

const storageKey: fc.Arbitrary<Hex> = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(hex)

const accessList = fc.array(fc.record({ address, storageKeys: fc.array(storageKey, { maxLength: 3 }) }), { maxLength: 3 })

const common = {
  chainId: fc.oneof(fc.integer({ min: 1, max: 2 ** 32 }), fc.constantFrom(1, 56, 137, 31337, 2 ** 32)),
  nonce: fc.oneof(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 0, max: 300 })),
  to: fc.option(address, { nil: null, freq: 5 }),
  value: uint256.map(String),
  data,
  gas: uint256.map(String),
}

const eip1559: fc.Arbitrary<EvmTransactionPayload> = fc
  .record({
    ...common,
    fees: fc.tuple(uint256, uint256).map(([a, b]) => (a <= b ? [a, b] : [b, a])),
    accessList: fc.option(accessList, { nil: undefined }),
  })
  .map(({ fees: [priority, max], accessList, ...rest }) => ({
    ...rest,
    type: 'eip1559' as const,
    maxPriorityFeePerGas: String(priority),
    maxFeePerGas: String(max),
    ...(accessList === undefined ? {} : { accessList }),
  }))

const eip2930: fc.Arbitrary<EvmTransactionPayload> = fc
  .record({ ...common, gasPrice: uint256.map(String), accessList: fc.option(accessList, { nil: undefined }) })
  .map(({ accessList, ...rest }) => ({ ...rest, type: 'eip2930' as const, ...(accessList === undefined ? {} : { accessList }) }))

const legacy: fc.Arbitrary<EvmTransactionPayload> = fc
  .record({ ...common, gasPrice: uint256.map(String) })
  .map((rest) => ({ ...rest, type: 'legacy' as const }))

const payload = fc.oneof(eip1559, eip2930, legacy)

const signature: fc.Arbitrary<TransactionSignature> = fc.record({
  r: fc.oneof(fc.bigInt({ min: 1n, max: N - 1n }), fc.constantFrom(1n, 0x7fn, 0x80n, N - 1n)),
  s: fc.oneof(fc.bigInt({ min: 1n, max: N - 1n }), fc.bigInt({ min: 1n, max: N / 2n }), fc.constantFrom(1n, 0x80n, N - 1n)),
  yParity: fc.constantFrom(0 as const, 1 as const),
})

// ---- oracles -----------------------------------------------------------------------------

/** viem: for legacy with a chainId, v = 27 + yParity is turned into the EIP-155 v (chainId·2 + 35 + yParity). */
function viemSerialize(tx: TransactionSerializable, sig?: TransactionSignature): Hex {
  if (!sig) return serializeTransaction(tx)
  return serializeTransaction(tx, {
    r: numberToHex(sig.r, { size: 32 }),
    s: numberToHex(sig.s, { size: 32 }),
    yParity: sig.yParity,
    v: BigInt(27 + sig.yParity),
  })
}

/** ethers, from the payload itself (not from toSerializable's output). */
function ethersTransaction(p: EvmTransactionPayload, sig?: TransactionSignature): Transaction {
  const like: TransactionLike = {
    type: TYPE_NUMBER[p.type],
    chainId: BigInt(p.chainId),
    nonce: p.nonce,
    to: p.to,
    value: BigInt(p.value),
    data: p.data,
    gasLimit: BigInt(p.gas),
    ...(p.type === 'eip1559'
      ? { maxFeePerGas: BigInt(p.maxFeePerGas!), maxPriorityFeePerGas: BigInt(p.maxPriorityFeePerGas!) }
      : { gasPrice: BigInt(p.gasPrice!) }),
    ...(p.type === 'legacy'
      ? {}
      : { accessList: (p.accessList ?? []).map((e) => ({ address: e.address, storageKeys: [...e.storageKeys] })) }),
  }
  const tx = Transaction.from(like)
  if (sig)
    tx.signature = Signature.from({
      r: numberToHex(sig.r, { size: 32 }),
      s: numberToHex(sig.s, { size: 32 }),
      yParity: sig.yParity,
    })
  return tx
}

function checkAgainstOracles(p: EvmTransactionPayload, sig?: TransactionSignature): Hex {
  const tx = toSerializable(p)
  const ours = hex(serializeEvmTransaction(tx, sig))
  expect(ours).toBe(viemSerialize(tx, sig))
  // ethers refuses to serialise s >= 2^255 ("non-canonical s", its Signature.s getter); such an
  // s is out of what any signer emits (EIP-2 low-s is <= n/2 < 2^255), so ethers is asked only
  // below 2^255. viem checks every s in 1..n-1 above.
  if (sig && sig.s >= 2n ** 255n) return ours
  const e = ethersTransaction(p, sig)
  expect(ours).toBe(sig ? e.serialized : e.unsignedSerialized)
  return ours
}

// ---- properties --------------------------------------------------------------------------

describe('serializeEvmTransaction against viem and ethers', () => {
  it('unsigned: random payloads of all three types', () => {
    fc.assert(
      fc.property(payload, (p) => {
        checkAgainstOracles(p)
      }),
      { numRuns: 300 },
    )
  })

  it('signed: random payloads and signatures (legacy v per EIP-155)', () => {
    fc.assert(
      fc.property(payload, signature, (p, sig) => {
        checkAgainstOracles(p, sig)
      }),
      { numRuns: 300 },
    )
  })

  it.each<Type>(['eip1559', 'eip2930', 'legacy'])('%s: the type byte and the parsed fields round-trip through viem', (type) => {
    const arb = { eip1559, eip2930, legacy }[type]
    fc.assert(
      fc.property(arb, signature, (p, sig) => {
        const tx = toSerializable(p)
        const raw = hex(serializeEvmTransaction(tx, sig))
        if (type === 'eip1559') expect(raw.slice(0, 4)).toBe('0x02')
        if (type === 'eip2930') expect(raw.slice(0, 4)).toBe('0x01')
        if (type === 'legacy') expect(Number.parseInt(raw.slice(2, 4), 16)).toBeGreaterThanOrEqual(0xc0)
        const parsed = parseTransaction(raw)
        expect(parsed.type).toBe(type)
        expect(parsed.chainId).toBe(p.chainId)
        expect(parsed.nonce ?? 0).toBe(p.nonce)
        expect(parsed.to ?? null).toBe(p.to === null ? null : p.to.toLowerCase())
        expect(parsed.value ?? 0n).toBe(BigInt(p.value))
        expect(parsed.gas ?? 0n).toBe(BigInt(p.gas))
        expect((parsed.data ?? '0x').toLowerCase()).toBe(p.data.toLowerCase())
        expect(parsed.r && BigInt(parsed.r)).toBe(sig.r)
        expect(parsed.s && BigInt(parsed.s)).toBe(sig.s)
        if (type === 'legacy') expect(parsed.v).toBe(BigInt(p.chainId) * 2n + 35n + BigInt(sig.yParity))
        else expect(parsed.yParity).toBe(sig.yParity)
      }),
      { numRuns: 100 },
    )
  })
})

// ---- fixed cases -------------------------------------------------------------------------

const TO = '0x3535353535353535353535353535353535353535' as const
const SIG: TransactionSignature = { r: N - 1n, s: 1n, yParity: 1 }

function fixed(type: Type, over: Partial<EvmTransactionPayload> = {}): EvmTransactionPayload {
  const fees = type === 'eip1559' ? { maxFeePerGas: '20000000000', maxPriorityFeePerGas: '1000000000' } : { gasPrice: '20000000000' }
  return { type, chainId: 1, nonce: 9, to: TO, value: '1000000000000000000', data: '0x', gas: '21000', ...fees, ...over }
}

describe('serializeEvmTransaction: fixed cases', () => {
  describe.each<Type>(['eip1559', 'eip2930', 'legacy'])('%s', (type) => {
    it('contract creation (to null) encodes `to` as the empty string', () => {
      const p = fixed(type, { to: null, data: '0x6080604052', value: '0' })
      for (const sig of [undefined, SIG]) checkAgainstOracles(p, sig)
      expect(toSerializable(p).to).toBeUndefined()
      expect(parseTransaction(hex(serializeEvmTransaction(toSerializable(p), SIG))).to).toBeUndefined()
    })

    it('empty data, zero value, zero nonce', () => {
      const p = fixed(type, { data: '0x', value: '0', nonce: 0 })
      for (const sig of [undefined, SIG]) checkAgainstOracles(p, sig)
    })

    it('max uint256 value, gas and fees', () => {
      const max = MAX_UINT256.toString()
      const fees = type === 'eip1559' ? { maxFeePerGas: max, maxPriorityFeePerGas: max } : { gasPrice: max }
      const p = fixed(type, { value: max, gas: max, ...fees, nonce: Number.MAX_SAFE_INTEGER, chainId: 2 ** 32 })
      for (const sig of [undefined, SIG]) {
        const raw = checkAgainstOracles(p, sig)
        expect(raw).toContain(`a0${'f'.repeat(64)}`)
      }
    })
  })

  it('EIP-155 example (the spec): nonce 9, 20 gwei, 21000 gas, 1 ether to 0x3535…35, chainId 1', () => {
    // https://eips.ethereum.org/EIPS/eip-155#example: the signing data.
    expect(hex(serializeEvmTransaction(toSerializable(fixed('legacy'))))).toBe(
      '0xec098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a764000080018080',
    )
    // And the signed transaction, with the spec's r and s and v = 37 (chainId 1, yParity 0).
    const sig: TransactionSignature = {
      r: 18515461264373351373200002665853028612451056578545711640558177340181847433846n,
      s: 46948507304638947509940763649030358759909902576025900602547168820602576006531n,
      yParity: 0,
    }
    expect(hex(serializeEvmTransaction(toSerializable(fixed('legacy')), sig))).toBe(
      '0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83',
    )
  })

  it('an explicit empty access list and an absent one encode alike (0xc0)', () => {
    for (const type of ['eip1559', 'eip2930'] as const) {
      const withEmpty = hex(serializeEvmTransaction(toSerializable(fixed(type, { accessList: [] }))))
      const without = hex(serializeEvmTransaction(toSerializable(fixed(type))))
      expect(withEmpty).toBe(without)
      expect(withEmpty.endsWith('c0')).toBe(true)
    }
  })
})

describe('withHash: the transaction hash on first read', () => {
  it('is keccak-256 of the signed bytes, an own enumerable value for JSON, spreads and clones', async () => {
    const { evmSigner } = await import('coffer/keys')
    const { signEvmTransaction } = await import('coffer/evm')
    const { keccak256 } = await import('viem')
    const signer = evmSigner(new Uint8Array(64).fill(7))
    const signed = await signEvmTransaction(selfPayment(signer.address), signer)
    signer.wipe()
    expect(Object.keys(signed)).toEqual(['chainId', 'kind', 'from', 'hash', 'raw'])
    expect(signed.hash).toBe(keccak256(signed.raw as Hex))
    expect(signed.hash).toBe(signed.hash)
    expect(JSON.parse(JSON.stringify(signed)).hash).toBe(signed.hash)
    expect({ ...signed }.hash).toBe(signed.hash)
    expect(structuredClone(signed).hash).toBe(signed.hash)
  })
})
