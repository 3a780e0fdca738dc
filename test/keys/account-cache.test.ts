import { bytesToHex } from '@noble/hashes/utils.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  deriveAccount,
  deriveAccounts,
  HDNode,
  mnemonicToSeed,
  type DeriveAccountOptions,
  type DerivedAccount,
  type DerivedBitcoinAccount,
} from 'coffer/keys'
import { MAX_PARENTS_PER_SEED, seedCacheEntry } from '../../src/keys/seed-cache.js'

const ABANDON = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'
const OTHER = 'legal winner thank year wave sausage worth useful legal winner thank yellow'
const seedA = await mnemonicToSeed(ABANDON)
const seedB = await mnemonicToSeed(OTHER)

/** A fresh derivation: a new seed object has no cache entry. */
const fresh = (seed: Uint8Array, options: DeriveAccountOptions): DerivedAccount => deriveAccount(seed.slice(), options)

const TEMPLATES: DeriveAccountOptions[] = [
  { chain: 'evm' },
  { chain: 'evm', account: 3 },
  { chain: 'tron' },
  { chain: 'evm', path: "m/44'/60'/0'/0/{index}" },
  { chain: 'evm', path: 'm/{index}' }, // the parent is the master node itself
  ...(['p2pkh', 'p2sh-p2wpkh', 'p2wpkh', 'p2tr'] as const).flatMap((addressType) =>
    (['mainnet', 'testnet', 'regtest'] as const).map((network) => ({ chain: 'bitcoin' as const, addressType, network })),
  ),
  { chain: 'bitcoin', account: 2, change: 1 },
]

describe('deriveAccount with the per-seed public cache', () => {
  it('gives what a fresh derivation gives, for EVM, Tron and every Bitcoin type and network', () => {
    const seed = seedA.slice()
    for (const options of TEMPLATES) {
      for (const index of [0, 1, 7, 1000, 2 ** 31 - 1]) {
        const first = deriveAccount(seed, { ...options, index } as DeriveAccountOptions)
        const cached = deriveAccount(seed, { ...options, index } as DeriveAccountOptions)
        const expected = fresh(seedA, { ...options, index } as DeriveAccountOptions)
        expect(first).toEqual(expected)
        expect(cached).toEqual(expected)
        expect(Object.isFrozen(cached)).toBe(true)
        // An independent oracle for the key and, on Bitcoin, the account xpub.
        const node = HDNode.fromSeed(seedA).derive(cached.path)
        expect(bytesToHex(cached.publicKey)).toBe(bytesToHex(node.publicKey))
        if (cached.chain === 'bitcoin') {
          const btc = cached as DerivedBitcoinAccount
          const format = btc.network === 'mainnet' ? 'xpub' : 'tpub'
          expect(btc.accountXpub).toBe(HDNode.fromSeed(seedA, { format }).derive(btc.accountPath).xpub)
        }
      }
    }
    expect(seedCacheEntry(seed)?.parents.length).toBeGreaterThan(0)
  })

  it('matches deriveAccounts on a fresh seed object for random seeds and indices (property)', () => {
    const template = fc.constantFrom<DeriveAccountOptions>(...TEMPLATES)
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 64 }),
        template,
        fc.array(fc.integer({ min: 0, max: 2 ** 31 - 1 }), { minLength: 1, maxLength: 6 }),
        (seed, options, indices) => {
          for (const index of indices) {
            const one = deriveAccount(seed, { ...options, index } as DeriveAccountOptions)
            const [batch] = deriveAccounts(seed.slice(), { ...options, start: index, count: 1 } as never) as DerivedAccount[]
            expect(one).toEqual(batch)
          }
        },
      ),
      { numRuns: 30 },
    )
  })

  it('never answers from a stale entry when the seed bytes change in place', () => {
    const seed = seedA.slice()
    for (const options of [{ chain: 'evm' }, { chain: 'bitcoin', addressType: 'p2tr' }, { chain: 'tron' }] as const) {
      expect(deriveAccount(seed, { ...options, index: 5 })).toEqual(fresh(seedA, { ...options, index: 5 }))
    }
    seed.set(seedB) // the buffer now holds another seed
    expect(deriveAccount(seed, { chain: 'evm', index: 5 })).toEqual(fresh(seedB, { chain: 'evm', index: 5 }))
    expect(deriveAccount(seed, { chain: 'evm', index: 5 }).address).not.toBe(fresh(seedA, { chain: 'evm', index: 5 }).address)
    // The old seed's parents went with its entry: only the new seed's EVM parent is left.
    expect(seedCacheEntry(seed)?.parents).toHaveLength(1)
    expect(seedCacheEntry(seed)?.parents[0]?.publicKey).toEqual(HDNode.fromSeed(seedB).derive("m/44'/60'/0'/0").publicKey)

    seed.fill(0) // a caller wiping its seed, then (wrongly) deriving again
    const zero = new Uint8Array(64)
    expect(deriveAccount(seed, { chain: 'bitcoin', addressType: 'p2tr', index: 5 })).toEqual(
      fresh(zero, { chain: 'bitcoin', addressType: 'p2tr', index: 5 }),
    )
    expect(deriveAccount(seed, { chain: 'evm', index: 5 })).toEqual(fresh(zero, { chain: 'evm', index: 5 }))

    seed.set(seedA) // and back: the right accounts again
    expect(deriveAccount(seed, { chain: 'tron', index: 5 })).toEqual(fresh(seedA, { chain: 'tron', index: 5 }))
  })

  it('holds only public data: no private key, no seed bytes', () => {
    const seed = seedA.slice()
    for (const options of TEMPLATES) deriveAccount(seed, { ...options, index: 1 } as DeriveAccountOptions)
    const entry = seedCacheEntry(seed)
    expect(entry).toBeDefined()

    // Every private key on the way to every cached parent, and the seed. (A chain code is xpub
    // data: 'm/{index}' caches the master's, as its xpub would show it.)
    const secrets = new Set<string>([bytesToHex(seedA), bytesToHex(seedA.subarray(0, 32)), bytesToHex(seedA.subarray(32))])
    const master = HDNode.fromSeed(seedA)
    for (const parent of entry?.parents ?? []) {
      for (let depth = 0; depth <= parent.path.length; depth++) {
        secrets.add(bytesToHex(master.derive(parent.path.slice(0, depth)).exportPrivateKey()))
      }
    }

    const bytes: Uint8Array[] = []
    const walk = (value: unknown): void => {
      if (value instanceof Uint8Array) bytes.push(value)
      else if (typeof value === 'bigint') secrets.forEach((s) => expect(value.toString(16).padStart(64, '0')).not.toBe(s))
      else if (value && typeof value === 'object') Object.values(value).forEach(walk)
    }
    walk(entry)
    expect(bytes.length).toBeGreaterThan(0)
    for (const b of bytes) expect(secrets.has(bytesToHex(b))).toBe(false)

    for (const parent of entry?.parents ?? []) {
      expect(Object.isFrozen(parent)).toBe(true)
      expect(Object.keys(parent).sort()).toEqual(
        'account' in parent ? ['account', 'chainCode', 'path', 'publicKey'] : ['chainCode', 'path', 'publicKey'],
      )
      // Exactly the parent's xpub data, nothing else.
      const node = master.derive(parent.path as number[])
      expect(parent.publicKey).toEqual(node.publicKey)
      expect(parent.publicKey).toHaveLength(33)
      expect(parent.chainCode).toEqual(node.chainCode)
      if (parent.account) expect(parent.account.accountXpub).toMatch(/^[xt]pub/)
    }
    expect(JSON.stringify(entry?.parents)).not.toMatch(/[xt]prv/)
  })

  it('caps the parents kept per seed and leaves hardened-last and literal paths uncached', () => {
    const seed = seedA.slice()
    for (let account = 0; account < MAX_PARENTS_PER_SEED + 5; account++) deriveAccount(seed, { chain: 'evm', account })
    expect(seedCacheEntry(seed)?.parents).toHaveLength(MAX_PARENTS_PER_SEED)
    // The oldest went first; all still derive correctly.
    expect(deriveAccount(seed, { chain: 'evm', account: 0, index: 2 })).toEqual(fresh(seedA, { chain: 'evm', account: 0, index: 2 }))

    const other = seedA.slice()
    deriveAccount(other, { chain: 'solana', index: 1 })
    deriveAccount(other, { chain: 'evm', path: "m/44'/60'/{index}'/0/0", index: 1 })
    deriveAccount(other, { chain: 'evm', path: "m/44'/60'/0'/0/3" })
    deriveAccount(other, { chain: 'evm', path: "m/44'/60'/0'/{index}/0", index: 1 })
    expect(seedCacheEntry(other)).toBeUndefined()
  })
})
