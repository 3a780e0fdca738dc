// Solana Pay memo matching (reference.ts): a memo written with any deployed Memo program counts —
// v1, the SPL Memo coffer writes with, and v4, what @solana-program/memo builds by default.
import { randomBytes } from 'node:crypto'
import { base58 } from '@scure/base'
import { getAddMemoInstruction, MEMO_PROGRAM_ADDRESS, SUPPORTED_MEMO_PROGRAM_ADDRESSES } from '@solana-program/memo'
import { describe, expect, it } from 'vitest'
import type { SolanaCall } from '../../../src/chains/solana/context.js'
import { solAssetId } from '../../../src/chains/solana/networks.js'
import type { ParsedTransaction } from '../../../src/chains/solana/parsed-transaction.js'
import { MEMO_PROGRAM, SYSTEM_PROGRAM } from '../../../src/chains/solana/programs.js'
import { MEMO_PROGRAMS, paysExpected } from '../../../src/chains/solana/reference.js'

const key = () => base58.encode(randomBytes(32))
const chainId = 'solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp' as const
const call = { chainId, nativeAsset: solAssetId(chainId), tokens: [] } as unknown as SolanaCall

/** A successful SOL payment of `amount` from `payer` to `to` naming `reference`, with a memo instruction of `memoProgram`. */
function payment(to: string, reference: string, amount: bigint, memoProgram: string, memo: string): ParsedTransaction {
  const payer = key()
  const keys = [payer, to, SYSTEM_PROGRAM, reference, memoProgram]
  return {
    signature: base58.encode(randomBytes(64)),
    slot: 10,
    failed: false,
    fee: 5_000n,
    keys,
    preBalances: [10n ** 10n, 0n, 1n, 0n, 1n],
    postBalances: [10n ** 10n - amount - 5_000n, amount, 1n, 0n, 1n],
    tokenBalances: new Map(),
    instructions: [
      { programId: memoProgram, accounts: [], data: new TextEncoder().encode(memo), position: 0 },
      { programId: SYSTEM_PROGRAM, accounts: [payer, to, reference], data: new Uint8Array(12), position: 65_536 },
    ],
  }
}

describe('Solana Pay memo programs', () => {
  it('are the ones @solana-program/memo reads memos of; coffer writes with the SPL Memo', () => {
    expect([...MEMO_PROGRAMS].sort()).toEqual([...SUPPORTED_MEMO_PROGRAM_ADDRESSES].sort())
    expect(MEMO_PROGRAMS).toContain(MEMO_PROGRAM)
    // The package's default (v4) is not the program coffer builds with: the write side names MEMO_PROGRAM.
    expect(MEMO_PROGRAM_ADDRESS).not.toBe(MEMO_PROGRAM)
    expect(getAddMemoInstruction({ memo: 'x' }).programAddress).toBe(MEMO_PROGRAM_ADDRESS)
  })

  it.each(MEMO_PROGRAMS.map((p) => [p]))('a memo written with %s pays the expected memo', (program) => {
    const to = key()
    const reference = key()
    const tx = payment(to, reference, 1_000n, program, 'order 42')
    expect(paysExpected(call, tx, reference, { to, amount: 1_000n, asset: call.nativeAsset, memo: 'order 42' })).toBe(true)
    expect(paysExpected(call, tx, reference, { to, amount: 1_000n, asset: call.nativeAsset, memo: 'order 43' })).toBe(false)
  })

  it('a memo-like instruction of another program is not the memo', () => {
    const to = key()
    const reference = key()
    const tx = payment(to, reference, 1_000n, key(), 'order 42')
    expect(paysExpected(call, tx, reference, { to, amount: 1_000n, asset: call.nativeAsset, memo: 'order 42' })).toBe(false)
    expect(paysExpected(call, tx, reference, { to, amount: 1_000n, asset: call.nativeAsset })).toBe(true)
  })
})
