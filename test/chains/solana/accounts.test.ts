// Token account and mint decoders, Token-2022 TransferFeeConfig, and the transfer-fee arithmetic:
// vectors built by hand from the layouts, cross-checked with @solana-program/token's codecs (an
// independent implementation); fast-check for random bytes.
import { getMintDecoder, getTokenDecoder } from '@solana-program/token'
import { base58 } from '@scure/base'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  decodeMint,
  decodeTokenAccount,
  grossForNet,
  transferFeeAt,
  transferFeeConfig,
  type TransferFeeConfig,
} from '../../../src/chains/solana/accounts.js'

const key = (seed: number) => new Uint8Array(32).fill(seed)
const keyText = (seed: number) => base58.encode(key(seed))

function u64(value: bigint): Uint8Array {
  const out = new Uint8Array(8)
  new DataView(out.buffer).setBigUint64(0, value, true)
  return out
}
function u32(value: number): Uint8Array {
  const out = new Uint8Array(4)
  new DataView(out.buffer).setUint32(0, value, true)
  return out
}
function u16(value: number): Uint8Array {
  return new Uint8Array([value & 0xff, value >> 8])
}
function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}
const option = (value?: Uint8Array, size = 32) => (value ? concat(u32(1), value) : concat(u32(0), new Uint8Array(size)))

function tokenAccount(o: {
  mint: number
  owner: number
  amount: bigint
  state?: number
  delegate?: number
  native?: bigint
  close?: number
}): Uint8Array {
  return concat(
    key(o.mint),
    key(o.owner),
    u64(o.amount),
    option(o.delegate === undefined ? undefined : key(o.delegate)),
    new Uint8Array([o.state ?? 1]),
    option(o.native === undefined ? undefined : u64(o.native), 8),
    u64(7n),
    option(o.close === undefined ? undefined : key(o.close)),
  )
}

function mint(o: { supply: bigint; decimals: number; authority?: number; freeze?: number; initialized?: boolean }): Uint8Array {
  return concat(
    option(o.authority === undefined ? undefined : key(o.authority)),
    u64(o.supply),
    new Uint8Array([o.decimals, o.initialized === false ? 0 : 1]),
    option(o.freeze === undefined ? undefined : key(o.freeze)),
  )
}

function feeConfigTlv(older: [bigint, bigint, number], newer: [bigint, bigint, number], withheld = 0n): Uint8Array {
  const fee = ([epoch, max, bps]: [bigint, bigint, number]) => concat(u64(epoch), u64(max), u16(bps))
  const value = concat(key(9), new Uint8Array(32), u64(withheld), fee(older), fee(newer))
  return concat(u16(1), u16(value.length), value)
}

/** A Token-2022 mint with extensions: base, zero padding to 165, account type 1, TLV. */
function mint2022(base: Uint8Array, ...tlv: Uint8Array[]): Uint8Array {
  return concat(base, new Uint8Array(165 - base.length), new Uint8Array([1]), ...tlv)
}

describe('decodeTokenAccount', () => {
  it('reads an SPL token account, as @solana-program/token does', () => {
    const data = tokenAccount({ mint: 1, owner: 2, amount: 123_456_789n, delegate: 3, native: 2_039_280n, close: 4 })
    expect(data.length).toBe(165)
    const ours = decodeTokenAccount(data)!
    const theirs = getTokenDecoder().decode(data)
    expect(ours.mint).toBe(theirs.mint)
    expect(ours.owner).toBe(theirs.owner)
    expect(ours.amount).toBe(theirs.amount)
    expect(ours.delegatedAmount).toBe(theirs.delegatedAmount)
    expect(ours).toMatchObject({
      mint: keyText(1),
      owner: keyText(2),
      delegate: keyText(3),
      rentExemptReserve: 2_039_280n,
      closeAuthority: keyText(4),
      state: 'initialized',
    })
  })

  it('reads frozen accounts, u64 max amounts, and Token-2022 accounts with extensions', () => {
    expect(decodeTokenAccount(tokenAccount({ mint: 1, owner: 2, amount: 2n ** 64n - 1n, state: 2 }))).toMatchObject({
      amount: 2n ** 64n - 1n,
      state: 'frozen',
    })
    const extended = concat(tokenAccount({ mint: 1, owner: 2, amount: 5n }), new Uint8Array([2]), u16(7), u16(0))
    expect(decodeTokenAccount(extended)).toMatchObject({ amount: 5n, owner: keyText(2) })
  })

  it('refuses what is not an initialized token account', () => {
    expect(decodeTokenAccount(tokenAccount({ mint: 1, owner: 2, amount: 1n, state: 0 }))).toBeUndefined()
    expect(decodeTokenAccount(tokenAccount({ mint: 1, owner: 2, amount: 1n, state: 3 }))).toBeUndefined()
    expect(decodeTokenAccount(new Uint8Array(164))).toBeUndefined()
    // A Token-2022 mint with extensions (account type 1) is not an account.
    expect(decodeTokenAccount(mint2022(mint({ supply: 1n, decimals: 6 })))).toBeUndefined()
    const badOption = tokenAccount({ mint: 1, owner: 2, amount: 1n })
    badOption[72] = 2
    expect(decodeTokenAccount(badOption)).toBeUndefined()
  })

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        const decoded = decodeTokenAccount(bytes)
        if (decoded) expect(decoded.amount).toBeGreaterThanOrEqual(0n)
      }),
    )
  })

  it('agrees with @solana-program/token on random valid accounts', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        fc.integer({ min: 1, max: 2 }),
        fc.integer({ min: 0, max: 255 }),
        (amount, state, seed) => {
          const data = tokenAccount({ mint: seed, owner: 255 - seed, amount, state })
          const theirs = getTokenDecoder().decode(data)
          const ours = decodeTokenAccount(data)!
          expect([ours.mint, ours.owner, ours.amount]).toEqual([theirs.mint, theirs.owner, theirs.amount])
        },
      ),
    )
  })
})

describe('decodeMint', () => {
  it('reads an SPL mint, as @solana-program/token does', () => {
    const data = mint({ supply: 10n ** 15n, decimals: 6, authority: 5, freeze: 6 })
    expect(data.length).toBe(82)
    const theirs = getMintDecoder().decode(data)
    expect(decodeMint(data)).toEqual({
      mintAuthority: keyText(5),
      supply: theirs.supply,
      decimals: theirs.decimals,
      isInitialized: true,
      freezeAuthority: keyText(6),
    })
  })

  it('reads a Token-2022 mint with extensions and refuses malformed ones', () => {
    const base = mint({ supply: 1n, decimals: 6 })
    expect(decodeMint(mint2022(base, feeConfigTlv([0n, 0n, 0], [0n, 0n, 0])))).toMatchObject({ supply: 1n, decimals: 6 })
    const padded = mint2022(base)
    padded[100] = 1 // padding must be zeros
    expect(decodeMint(padded)).toBeUndefined()
    expect(decodeMint(concat(tokenAccount({ mint: 1, owner: 2, amount: 1n }), new Uint8Array([2])))).toBeUndefined()
    expect(decodeMint(new Uint8Array(81))).toBeUndefined()
  })

  it('never throws on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => void decodeMint(bytes)))
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => void transferFeeConfig(bytes)))
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (tail) => {
        const config = transferFeeConfig(concat(mint2022(mint({ supply: 1n, decimals: 6 })), tail))
        if (config) expect(config.newerTransferFee.transferFeeBasisPoints).toBeLessThanOrEqual(10_000)
      }),
    )
  })
})

describe('transferFeeConfig', () => {
  it('reads older and newer fees after other extensions', () => {
    const other = concat(u16(3), u16(32), key(8)) // MintCloseAuthority, skipped
    const data = mint2022(mint({ supply: 1n, decimals: 6 }), other, feeConfigTlv([0n, 1_000n, 10], [500n, 5_000_000n, 25], 77n))
    expect(transferFeeConfig(data)).toEqual({
      transferFeeConfigAuthority: keyText(9),
      withheldAmount: 77n,
      olderTransferFee: { epoch: 0n, maximumFee: 1_000n, transferFeeBasisPoints: 10 },
      newerTransferFee: { epoch: 500n, maximumFee: 5_000_000n, transferFeeBasisPoints: 25 },
    })
    expect(transferFeeConfig(mint({ supply: 1n, decimals: 6 }))).toBeUndefined()
    expect(transferFeeConfig(mint2022(mint({ supply: 1n, decimals: 6 }), other))).toBeUndefined()
  })
})

describe('transfer fees', () => {
  const config = (bps: number, max: bigint, newer?: [bigint, number, bigint]): TransferFeeConfig => ({
    withheldAmount: 0n,
    olderTransferFee: { epoch: 0n, maximumFee: max, transferFeeBasisPoints: bps },
    newerTransferFee: newer
      ? { epoch: newer[0], transferFeeBasisPoints: newer[1], maximumFee: newer[2] }
      : { epoch: 0n, maximumFee: max, transferFeeBasisPoints: bps },
  })

  it('rounds up, caps at the maximum, and switches to the newer fee at its epoch', () => {
    const c = config(25, 5_000_000n)
    expect(transferFeeAt(c, 0n, 1n)).toBe(1n) // ceil(0.0025)
    expect(transferFeeAt(c, 0n, 400n)).toBe(1n)
    expect(transferFeeAt(c, 0n, 401n)).toBe(2n)
    expect(transferFeeAt(c, 0n, 0n)).toBe(0n)
    expect(transferFeeAt(c, 0n, 10n ** 12n)).toBe(5_000_000n)
    const changing = config(10, 100n, [7n, 100, 1_000n])
    expect(transferFeeAt(changing, 6n, 10_000n)).toBe(10n)
    expect(transferFeeAt(changing, 7n, 10_000n)).toBe(100n)
  })

  it('grossForNet is the smallest gross that delivers net', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.bigInt({ min: 0n, max: 10n ** 9n }),
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        (bps, max, net) => {
          const c = config(bps, max)
          const gross = grossForNet(c, 0n, net)
          expect(gross - transferFeeAt(c, 0n, gross)).toBe(net)
          if (gross > 0n) expect(gross - 1n - transferFeeAt(c, 0n, gross - 1n)).toBeLessThan(net)
        },
      ),
    )
    expect(grossForNet(config(25, 5_000_000n), 0n, 1_000_000n)).toBe(1_002_507n)
    expect(grossForNet(config(10_000, 3n), 0n, 10n)).toBe(13n)
  })

  it('refuses amounts outside u64', () => {
    expect(() => transferFeeAt(config(1, 1n), 0n, -1n)).toThrow(/u64/)
    expect(() => grossForNet(config(10_000, 5n), 0n, 2n ** 64n - 1n)).toThrow(/delivers/)
  })
})
