/**
 * Decoding of the instructions that move SOL and tokens, from their program and data alone:
 * - System (`11111111111111111111111111111111`, u32 LE index): 0 CreateAccount (lamports u64,
 *   space u64, owner; accounts [funder, new]), 2 Transfer (lamports u64; [from, to]),
 *   3 CreateAccountWithSeed (base, seed string, lamports, space, owner; [funder, new, base?]),
 *   11 TransferWithSeed (lamports u64, seed string, owner; [from, base, to]);
 * - SPL Token and Token-2022 (u8 index): 3 Transfer (amount u64; [source, destination,
 *   authority]), 12 TransferChecked (amount u64, decimals u8; [source, mint, destination,
 *   authority]); Token-2022 only: 26/1 TransferCheckedWithFee (amount u64, decimals u8, fee u64;
 *   [source, mint, destination, authority]).
 *
 * Token instructions name token accounts; the caller maps them to owners. Anything else
 * (mint, burn, close, confidential transfers, other programs) is not decoded here.
 * @module
 * @internal
 */
import { SYSTEM_PROGRAM, TOKEN_2022_PROGRAM, TOKEN_PROGRAM } from './programs.js'

/** An instruction with its program and accounts resolved to addresses. */
export interface ResolvedInstruction {
  readonly programId: string
  readonly accounts: readonly string[]
  readonly data: Uint8Array
}

/** A movement of lamports between two accounts. */
export interface SolMovement {
  readonly kind: 'sol'
  readonly from: string
  readonly to: string
  readonly amount: bigint
}

/** A movement of tokens between two token accounts. */
export interface TokenMovement {
  readonly kind: 'token'
  /** The token instruction that makes it. */
  readonly instruction: 'transfer' | 'transferChecked' | 'transferCheckedWithFee'
  readonly program: string
  readonly source: string
  readonly destination: string
  /** Present for the checked forms. */
  readonly mint?: string
  /** The decimals the checked forms assert. */
  readonly decimals?: number
  readonly authority: string
  /** What left the source. */
  readonly amount: bigint
  /** The fee the instruction declares withheld (TransferCheckedWithFee); the destination gets amount − fee. */
  readonly fee: bigint
}

/** What a decoded instruction moves. */
export type Movement = SolMovement | TokenMovement

function view(data: Uint8Array): DataView {
  return new DataView(data.buffer, data.byteOffset, data.byteLength)
}

function systemMovement(data: Uint8Array, accounts: readonly string[]): SolMovement | undefined {
  if (data.length < 12 || accounts.length < 2) return undefined
  const v = view(data)
  const sol = (to: string, amount: bigint): SolMovement => ({ kind: 'sol', from: accounts[0]!, to, amount })
  switch (v.getUint32(0, true)) {
    case 0: // CreateAccount: lamports, space, owner
      return data.length === 52 ? sol(accounts[1]!, v.getBigUint64(4, true)) : undefined
    case 2: // Transfer: lamports
      return data.length === 12 ? sol(accounts[1]!, v.getBigUint64(4, true)) : undefined
    case 3: {
      // CreateAccountWithSeed: base 32, seed (u64 length + bytes), lamports u64, space u64, owner 32.
      if (data.length < 4 + 32 + 8) return undefined
      const seedLength = v.getBigUint64(36, true)
      if (seedLength > 32n) return undefined
      const at = 44 + Number(seedLength)
      return data.length === at + 8 + 8 + 32 ? sol(accounts[1]!, v.getBigUint64(at, true)) : undefined
    }
    case 11: // TransferWithSeed: lamports, seed, owner; [from, base, to]
      return data.length >= 12 + 8 && accounts.length >= 3 ? sol(accounts[2]!, v.getBigUint64(4, true)) : undefined
    default:
      return undefined
  }
}

/** The movement `ix` makes, when it is one of the instructions listed in the module doc. Never throws. */
export function decodeMovement(ix: ResolvedInstruction): Movement | undefined {
  const { data, accounts } = ix
  if (ix.programId === SYSTEM_PROGRAM) return systemMovement(data, accounts)
  if (ix.programId !== TOKEN_PROGRAM && ix.programId !== TOKEN_2022_PROGRAM) return undefined
  const program = ix.programId
  if (data[0] === 3 && data.length === 9 && accounts.length >= 3)
    return {
      kind: 'token',
      instruction: 'transfer',
      program,
      source: accounts[0]!,
      destination: accounts[1]!,
      authority: accounts[2]!,
      amount: view(data).getBigUint64(1, true),
      fee: 0n,
    }
  // The checked forms: [source, mint, destination, authority].
  const checked = (instruction: TokenMovement['instruction'], amount: bigint, decimals: number, fee: bigint): TokenMovement => ({
    kind: 'token',
    instruction,
    program,
    source: accounts[0]!,
    mint: accounts[1]!,
    destination: accounts[2]!,
    authority: accounts[3]!,
    decimals,
    amount,
    fee,
  })
  if (accounts.length < 4) return undefined
  if (data[0] === 12 && data.length === 10) return checked('transferChecked', view(data).getBigUint64(1, true), data[9]!, 0n)
  if (program === TOKEN_2022_PROGRAM && data[0] === 26 && data[1] === 1 && data.length === 19) {
    const amount = view(data).getBigUint64(2, true)
    const fee = view(data).getBigUint64(11, true)
    return fee > amount ? undefined : checked('transferCheckedWithFee', amount, data[10]!, fee)
  }
  return undefined
}
