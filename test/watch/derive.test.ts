/**
 * Watch-only address lists from an xpub or a Bitcoin descriptor, checked against independent
 * implementations: viem's `mnemonicToAccount` (EVM), tronweb's `fromMnemonic` (TRON), the BIP-49,
 * BIP-84 and BIP-86 test vectors (test/vectors/bip-addresses.json, sources named there) and
 * bitcoinjs-lib over @scure/bip32 keys (Bitcoin). Private keys are refused without being echoed.
 */
import { HDKey } from '@scure/bip32'
import { mnemonicToSeedSync } from '@scure/bip39'
import { base58check as makeBase58check } from '@scure/base'
import { sha256 } from '@noble/hashes/sha2.js'
import { initEccLib, networks, payments } from 'bitcoinjs-lib'
import fc from 'fast-check'
import * as ecc from 'tiny-secp256k1'
import { TronWeb } from 'tronweb'
import { getAddress } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { CofferError, InvalidArgumentError } from '../../src/core/errors.js'
import { descriptorChecksum } from '../../src/keys/descriptor.js'
import { deriveWatchAddresses, MAX_WATCH_ADDRESSES, sourceId, type AddressSourceKey } from '../../src/watch/derive.js'
import vectors from '../vectors/bip-addresses.json'

initEccLib(ecc)
const base58check = makeBase58check(sha256)

/** anvil's well-known test mnemonic. */
const ANVIL = 'test test test test test test test test test test test junk'
const anvilRoot = HDKey.fromMasterSeed(mnemonicToSeedSync(ANVIL))
const evmXpub = anvilRoot.derive("m/44'/60'/0'/0").publicExtendedKey
const tronXpub = anvilRoot.derive("m/44'/195'/0'/0").publicExtendedKey
const evm: AddressSourceKey = { kind: 'evm', xpub: evmXpub }
const tron: AddressSourceKey = { kind: 'tron', xpub: tronXpub }

/** BIP-39 'abandon … about' (the BIP-49/84/86 vectors' mnemonic); master fingerprint 73c5da0a. */
const abandonRoot = HDKey.fromMasterSeed(mnemonicToSeedSync(vectors.bip84.mnemonic))
const testnetRoot = HDKey.fromMasterSeed(mnemonicToSeedSync(vectors.bip84.mnemonic), { private: 0x04358394, public: 0x043587cf })

/** The same extended key with other version bytes (SLIP-132 zpub/upub → plain xpub/tpub). */
function withVersion(xkey: string, version: number): string {
  const bytes = base58check.decode(xkey)
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(0, version)
  return base58check.encode(bytes)
}
const XPUB = 0x0488b21e
const TPUB = 0x043587cf

/** Every text an error carries: messages, details and causes, recursively. */
function errorText(error: unknown): string {
  const parts: string[] = []
  for (
    let e = error as { message?: unknown; shortMessage?: unknown; details?: unknown; cause?: unknown } | undefined;
    e;
    e = e.cause as typeof e
  ) {
    parts.push(
      String(e),
      String(e.message),
      String(e.shortMessage),
      JSON.stringify(e.details ?? null, (_, v) => (typeof v === 'bigint' ? String(v) : v)),
    )
  }
  return parts.join('\n')
}

/** The error `fn` throws (failing the test if it does not throw). */
function thrown(fn: () => unknown): CofferError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError)
    return error as CofferError
  }
  throw new Error('expected a throw')
}

describe('EVM', () => {
  it("derives child i of the xpub at m/44'/60'/0'/0 as viem's mnemonicToAccount does, EIP-55 checksummed", () => {
    const expected = [0, 1, 2, 3, 4].map((i) => mnemonicToAccount(ANVIL, { addressIndex: i }).address)
    expect(expected[0]).toBe('0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266') // anvil's first account
    const got = deriveWatchAddresses(evm, 0, 5)
    expect(got).toEqual(expected)
    for (const address of got) expect(address).toBe(getAddress(address))
  })

  it('starts anywhere: indexes 1000.. and 2^31 - 1', () => {
    expect(deriveWatchAddresses(evm, 1000, 3)).toEqual([1000, 1001, 1002].map((i) => mnemonicToAccount(ANVIL, { addressIndex: i }).address))
    const last = 2 ** 31 - 1
    expect(deriveWatchAddresses(evm, last, 1)).toEqual([mnemonicToAccount(ANVIL, { addressIndex: last }).address])
  })

  it('derives 10,000 distinct addresses in one call (batched), matching viem at the far end', () => {
    const got = deriveWatchAddresses(evm, 0, 10_000)
    expect(got).toHaveLength(10_000)
    expect(new Set(got).size).toBe(10_000)
    expect(got[9_999]).toBe(mnemonicToAccount(ANVIL, { addressIndex: 9_999 }).address)
    expect(got[4_096]).toBe(mnemonicToAccount(ANVIL, { addressIndex: 4_096 }).address) // first of the second batch
  }, 120_000)
})

describe('TRON', () => {
  it("derives child i of the xpub at m/44'/195'/0'/0 as tronweb's fromMnemonic does", () => {
    const expected = [0, 1, 2, 3, 4].map((i) => TronWeb.fromMnemonic(ANVIL, `m/44'/195'/0'/0/${i}`).address)
    expect(deriveWatchAddresses(tron, 0, 5)).toEqual(expected)
    for (const address of expected) expect(address).toMatch(/^T[1-9A-HJ-NP-Za-km-z]{33}$/)
  })

  it('gives different addresses (and ids) for the same xpub as EVM and as TRON', () => {
    const asTron: AddressSourceKey = { kind: 'tron', xpub: evmXpub }
    expect(deriveWatchAddresses(asTron, 0, 1)[0]).not.toBe(deriveWatchAddresses(evm, 0, 1)[0])
    expect(sourceId(asTron)).not.toBe(sourceId(evm))
  })
})

describe('Bitcoin descriptors', () => {
  // BIP-84 test vectors (bitcoin/bips bip-0084.mediawiki, 'Test vectors'; copied in test/vectors/bip-addresses.json).
  const bip84Xpub = withVersion(vectors.bip84.accountXpub, XPUB)

  it('BIP-84: wpkh([73c5da0a/84h/0h/0h]xpub…/0/*) gives the vector receive addresses; /1/* the change address', () => {
    const [first, second, change] = vectors.bip84.addresses.map((a) => ({ address: a.address })) as [
      { address: string },
      { address: string },
      { address: string },
    ]
    expect(first.address).toBe('bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu')
    const descriptor = `wpkh([73c5da0a/84'/0'/0']${bip84Xpub}/0/*)`
    expect(deriveWatchAddresses({ kind: 'bitcoin', descriptor }, 0, 2)).toEqual([first.address, second.address])
    expect(deriveWatchAddresses({ kind: 'bitcoin', descriptor: `wpkh(${bip84Xpub}/1/*)` }, 0, 1)).toEqual([change.address])
    // The multipath form watches its receive branch; a checksum is verified.
    const multipath = `wpkh([73c5da0a/84h/0h/0h]${bip84Xpub}/<0;1>/*)`
    expect(deriveWatchAddresses({ kind: 'bitcoin', descriptor: `${multipath}#${descriptorChecksum(multipath)}` }, 1, 1)).toEqual([
      second.address,
    ])
  })

  it('BIP-86: tr(xpub…/0/*) gives the vector taproot addresses', () => {
    const descriptor = `tr([73c5da0a/86'/0'/0']${vectors.bip86.accountXpub}/0/*)`
    const expected = vectors.bip86.addresses.filter((a) => a.path.includes("/0'/0/")).map((a) => a.address)
    expect(expected.length).toBeGreaterThan(0)
    expect(deriveWatchAddresses({ kind: 'bitcoin', descriptor }, 0, expected.length)).toEqual(expected)
  })

  it('BIP-49 (testnet): sh(wpkh(tpub…/0/*)) gives the vector P2SH address; tpub means testnet', () => {
    const tpub = withVersion(vectors.bip49.accountXpub, TPUB)
    const descriptor = `sh(wpkh([73c5da0a/49'/1'/0']${tpub}/0/*))`
    expect(deriveWatchAddresses({ kind: 'bitcoin', descriptor }, 0, 1)).toEqual([vectors.bip49.addresses[0]?.address])
  })

  it('matches bitcoinjs-lib for pkh, sh(wpkh), wpkh and tr, on mainnet and testnet', () => {
    const cases = [
      { wrap: (k: string) => `pkh(${k})`, purpose: 44, pay: 'p2pkh' },
      { wrap: (k: string) => `sh(wpkh(${k}))`, purpose: 49, pay: 'p2sh-p2wpkh' },
      { wrap: (k: string) => `wpkh(${k})`, purpose: 84, pay: 'p2wpkh' },
      { wrap: (k: string) => `tr(${k})`, purpose: 86, pay: 'p2tr' },
    ] as const
    for (const [root, network, coin] of [
      [abandonRoot, networks.bitcoin, 0],
      [testnetRoot, networks.testnet, 1],
    ] as const) {
      for (const { wrap, purpose, pay } of cases) {
        const account = root.derive(`m/${purpose}'/${coin}'/0'`)
        const oracle = (i: number) => {
          const pubkey = account.deriveChild(0).deriveChild(i).publicKey as Uint8Array
          if (pay === 'p2pkh') return payments.p2pkh({ pubkey, network }).address
          if (pay === 'p2wpkh') return payments.p2wpkh({ pubkey, network }).address
          if (pay === 'p2tr') return payments.p2tr({ internalPubkey: pubkey.subarray(1), network }).address
          return payments.p2sh({ redeem: payments.p2wpkh({ pubkey, network }), network }).address
        }
        const descriptor = wrap(`${account.publicExtendedKey}/0/*`)
        expect(deriveWatchAddresses({ kind: 'bitcoin', descriptor }, 3, 4), descriptor.slice(0, 6)).toEqual([3, 4, 5, 6].map(oracle))
      }
    }
  })

  it('refuses descriptors coffer does not read (hardened wildcard, multisig, SLIP-132 keys, bad checksum)', () => {
    const xpub = abandonRoot.derive("m/84'/0'/0'").publicExtendedKey
    for (const descriptor of [
      `wpkh(${xpub}/0/*')`,
      `wpkh(${xpub}/0/*h)`,
      `wsh(multi(1,${xpub}/0/*))`,
      `wpkh(${xpub}/0/5)`,
      `wpkh(${vectors.bip84.accountXpub}/0/*)`, // a zpub inside a descriptor
      `wpkh(${xpub}/0/*)#00000000`,
      '',
    ]) {
      const error = thrown(() => deriveWatchAddresses({ kind: 'bitcoin', descriptor }, 0, 1))
      expect(errorText(error)).not.toContain(xpub)
    }
  })
})

describe('refusals', () => {
  it('refuses a private extended key (xprv, tprv, zprv) without echoing it, before parsing it', () => {
    const xprv = anvilRoot.derive("m/44'/60'/0'/0").privateExtendedKey
    const tprv = testnetRoot.derive("m/84'/1'/0'").privateExtendedKey
    const cases: [AddressSourceKey, string][] = [
      [{ kind: 'evm', xpub: xprv }, xprv],
      [{ kind: 'tron', xpub: xprv }, xprv],
      [{ kind: 'bitcoin', descriptor: `wpkh(${tprv}/0/*)` }, tprv],
      [{ kind: 'bitcoin', descriptor: `tr([73c5da0a/86h/0h/0h]${vectors.bip86.accountXprv}/0/*)` }, vectors.bip86.accountXprv],
      [{ kind: 'bitcoin', descriptor: `wpkh(${vectors.bip84.accountXprv}/0/*)#00000000` }, vectors.bip84.accountXprv], // refused even with a bad checksum
    ]
    for (const [key, secret] of cases) {
      for (const call of [() => deriveWatchAddresses(key, 0, 1), () => sourceId(key)]) {
        const error = thrown(call)
        expect(error.details).toMatchObject({ reason: 'private-key' })
        const text = errorText(error)
        expect(text).toMatch(/private/i)
        // Not the key, nor any 12-character piece of it.
        for (let i = 0; i + 12 <= secret.length; i += 6) expect(text).not.toContain(secret.slice(i, i + 12))
      }
    }
  })

  it('EVM / TRON take a plain xpub at depth 4 only', () => {
    const accountLevel = anvilRoot.derive("m/44'/60'/0'").publicExtendedKey
    expect(thrown(() => deriveWatchAddresses({ kind: 'evm', xpub: accountLevel }, 0, 1)).details).toMatchObject({
      reason: 'depth',
      depth: 3,
    })
    const hardenedLeaf = anvilRoot.derive("m/44'/60'/0'/0'").publicExtendedKey
    expect(thrown(() => deriveWatchAddresses({ kind: 'evm', xpub: hardenedLeaf }, 0, 1)).details).toMatchObject({ reason: 'depth' })
    expect(thrown(() => deriveWatchAddresses({ kind: 'tron', xpub: withVersion(tronXpub, TPUB) }, 0, 1)).details).toMatchObject({
      reason: 'version',
    })
    expect(thrown(() => deriveWatchAddresses({ kind: 'evm', xpub: vectors.bip84.accountXpub }, 0, 1)).shortMessage).toMatch(/zpub/)
    // Unknown version bytes, a broken checksum, garbage.
    expect(thrown(() => deriveWatchAddresses({ kind: 'evm', xpub: withVersion(evmXpub, 0x01020304) }, 0, 1)).shortMessage).toMatch(
      /0x01020304/,
    )
    const typo = evmXpub.slice(0, 50) + (evmXpub[50] === 'a' ? 'b' : 'a') + evmXpub.slice(51)
    expect(errorText(thrown(() => deriveWatchAddresses({ kind: 'evm', xpub: typo }, 0, 1)))).not.toContain(typo)
    thrown(() => deriveWatchAddresses({ kind: 'evm', xpub: 'xpub' }, 0, 1))
    thrown(() => deriveWatchAddresses({ kind: 'evm', xpub: 42 } as unknown as AddressSourceKey, 0, 1))
    thrown(() => deriveWatchAddresses({ kind: 'solana', xpub: evmXpub } as unknown as AddressSourceKey, 0, 1))
    thrown(() => deriveWatchAddresses(null as unknown as AddressSourceKey, 0, 1))
    thrown(() => deriveWatchAddresses({ kind: 'bitcoin', xpub: evmXpub } as unknown as AddressSourceKey, 0, 1))
  })

  it('checks start and count: safe non-negative integers, count ≤ 100,000, indexes below 2^31', () => {
    expect(MAX_WATCH_ADDRESSES).toBe(100_000)
    expect(deriveWatchAddresses(evm, 0, 0)).toEqual([])
    expect(deriveWatchAddresses(evm, 2 ** 31 - 5, 5)).toHaveLength(5)
    const bad: [unknown, unknown][] = [
      [-1, 1],
      [0, -1],
      [1.5, 1],
      [0, 2.5],
      [Number.NaN, 1],
      [0, Number.POSITIVE_INFINITY],
      ['0', 1],
      [0, 1n],
      [2 ** 31, 1],
      [2 ** 31 - 5, 6],
      [Number.MAX_SAFE_INTEGER + 1, 1],
      [0, MAX_WATCH_ADDRESSES + 1],
    ]
    for (const [start, count] of bad) thrown(() => deriveWatchAddresses(evm, start as number, count as number))
    // The bounds are checked before the key is read: a bad count with a private key says "count".
    const xprv = anvilRoot.derive("m/44'/60'/0'/0").privateExtendedKey
    expect(thrown(() => deriveWatchAddresses({ kind: 'evm', xpub: xprv }, 0, -1)).shortMessage).toMatch(/^count/)
  })
})

describe('sourceId', () => {
  it('is 16 hex digits, stable, and never the key', () => {
    const id = sourceId(evm)
    expect(id).toMatch(/^[0-9a-f]{16}$/)
    expect(sourceId({ kind: 'evm', xpub: evmXpub })).toBe(id)
    expect(evmXpub).not.toContain(id)
    expect(sourceId(tron)).not.toBe(id)
  })

  it('is the same for descriptors that give the same addresses, different otherwise', () => {
    const xpub = withVersion(vectors.bip84.accountXpub, XPUB)
    const body = `wpkh([73c5da0a/84h/0h/0h]${xpub}/<0;1>/*)`
    const same = [body, `${body}#${descriptorChecksum(body)}`, `wpkh(${xpub}/0/*)`, `wpkh([73c5da0a/84'/0'/0']${xpub}/0/*)`]
    const ids = same.map((descriptor) => sourceId({ kind: 'bitcoin', descriptor }))
    expect(new Set(ids).size).toBe(1)
    const other = [
      `tr(${xpub}/0/*)`,
      `pkh(${xpub}/0/*)`,
      `sh(wpkh(${xpub}/0/*))`,
      `wpkh(${xpub}/1/*)`,
      `wpkh(${withVersion(xpub, TPUB)}/0/*)`,
    ]
    const otherIds = other.map((descriptor) => sourceId({ kind: 'bitcoin', descriptor }))
    expect(new Set([...otherIds, ids[0]]).size).toBe(other.length + 1)
  })
})

describe('property: a range is the concatenation of its two parts', () => {
  const bip84 = `wpkh(${withVersion(vectors.bip84.accountXpub, XPUB)}/0/*)`
  const keys: AddressSourceKey[] = [
    evm,
    tron,
    { kind: 'bitcoin', descriptor: bip84 },
    { kind: 'bitcoin', descriptor: bip84.replace('wpkh', 'tr') },
  ]
  it('deriveWatchAddresses(k, s, n) = (k, s, a) ++ (k, s + a, n - a)', () => {
    const range = fc
      .tuple(fc.integer({ min: 0, max: 40 }), fc.oneof(fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 0, max: 2 ** 31 - 41 })))
      .chain(([n, s]) =>
        fc.record({ key: fc.constantFrom(...keys), s: fc.constant(s), n: fc.constant(n), a: fc.integer({ min: 0, max: n }) }),
      )
    fc.assert(
      fc.property(range, ({ key, s, n, a }) => {
        const whole = deriveWatchAddresses(key, s, n)
        expect(whole).toHaveLength(n)
        expect(whole).toEqual([...deriveWatchAddresses(key, s, a), ...deriveWatchAddresses(key, s + a, n - a)])
      }),
      { numRuns: 40 },
    )
  }, 120_000)
})
