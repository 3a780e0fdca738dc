// accounts.ts helpers the write side uses: the size of the associated token account a mint
// needs (Token-2022's GetAccountDataSize), durable nonce accounts, wallet accounts.
import { base58 } from '@scure/base'
import { describe, expect, it } from 'vitest'
import { associatedAccountSize, decodeNonce, isWalletAccount } from '../../../src/chains/solana/accounts.js'
import { SYSTEM_PROGRAM, TOKEN_2022_PROGRAM, TOKEN_PROGRAM } from '../../../src/chains/solana/programs.js'

function mint(...extensions: [type: number, length: number][]): Uint8Array {
  const base = new Uint8Array(82)
  base[44] = 6 // decimals
  base[45] = 1 // initialized
  if (extensions.length === 0) return base
  const tlv = extensions.flatMap(([type, length]) => [
    type & 0xff,
    type >> 8,
    length & 0xff,
    length >> 8,
    ...new Array<number>(length).fill(0),
  ])
  const out = new Uint8Array(166 + tlv.length)
  out.set(base)
  out[165] = 1 // account type: mint
  out.set(tlv, 166)
  return out
}

describe('associatedAccountSize', () => {
  it('is 165 for SPL Token and 170 (type byte + ImmutableOwner) for a plain Token-2022 mint', () => {
    expect(associatedAccountSize(TOKEN_PROGRAM, mint())).toBe(165)
    expect(associatedAccountSize(TOKEN_2022_PROGRAM, mint())).toBe(170)
  })

  it('adds the account extensions the mint extensions require', () => {
    expect(associatedAccountSize(TOKEN_2022_PROGRAM, mint([1, 108]))).toBe(170 + 12) // TransferFeeAmount
    expect(associatedAccountSize(TOKEN_2022_PROGRAM, mint([1, 108], [14, 64], [26, 32]))).toBe(170 + 12 + 5 + 4)
    expect(associatedAccountSize(TOKEN_2022_PROGRAM, mint([3, 32], [18, 64]))).toBe(170) // no account extension needed
    const sizes = [1, 16, 14, 9, 26].map((t) => associatedAccountSize(TOKEN_2022_PROGRAM, mint([t, 0])))
    expect(sizes).toEqual([182, 238, 175, 174, 174])
    // Every required extension at once (and one that requires none): still far from a multisig's 355 bytes.
    expect(associatedAccountSize(TOKEN_2022_PROGRAM, mint([1, 0], [16, 0], [14, 0], [9, 0], [26, 0], [27, 0]))).toBe(
      170 + 12 + 68 + 5 + 4 + 4,
    )
  })

  it('refuses what is not a mint of that program', () => {
    expect(associatedAccountSize(SYSTEM_PROGRAM, mint())).toBeUndefined()
    expect(associatedAccountSize(TOKEN_PROGRAM, mint([1, 108]))).toBeUndefined()
    const truncated = mint([1, 108]).subarray(0, 200)
    expect(associatedAccountSize(TOKEN_2022_PROGRAM, truncated)).toBeUndefined()
    expect(associatedAccountSize(TOKEN_2022_PROGRAM, new Uint8Array(82))).toBe(170) // uninitialized: the caller checks isInitialized
    expect(associatedAccountSize(TOKEN_2022_PROGRAM, new Uint8Array(81))).toBeUndefined()
  })
})

describe('decodeNonce', () => {
  const nonce = (version: number, state: number) => {
    const data = new Uint8Array(80)
    const view = new DataView(data.buffer)
    view.setUint32(0, version, true)
    view.setUint32(4, state, true)
    data.fill(3, 8, 40)
    data.fill(9, 40, 72)
    view.setBigUint64(72, 5_000n, true)
    return data
  }
  it('reads an initialized nonce account of either version', () => {
    for (const version of [0, 1])
      expect(decodeNonce(SYSTEM_PROGRAM, nonce(version, 1))).toEqual({
        authority: base58.encode(new Uint8Array(32).fill(3)),
        nonce: base58.encode(new Uint8Array(32).fill(9)),
        lamportsPerSignature: 5_000n,
      })
  })
  it('refuses anything else', () => {
    expect(decodeNonce(SYSTEM_PROGRAM, nonce(1, 0))).toBeUndefined()
    expect(decodeNonce(SYSTEM_PROGRAM, nonce(2, 1))).toBeUndefined()
    expect(decodeNonce(TOKEN_PROGRAM, nonce(1, 1))).toBeUndefined()
    expect(decodeNonce(SYSTEM_PROGRAM, nonce(1, 1).subarray(0, 79))).toBeUndefined()
  })
})

it('isWalletAccount: absent, or a System account without data', () => {
  expect(isWalletAccount(null)).toBe(true)
  expect(isWalletAccount({ owner: SYSTEM_PROGRAM, data: new Uint8Array() })).toBe(true)
  expect(isWalletAccount({ owner: SYSTEM_PROGRAM, data: new Uint8Array(80) })).toBe(false)
  expect(isWalletAccount({ owner: TOKEN_PROGRAM, data: new Uint8Array() })).toBe(false)
})
