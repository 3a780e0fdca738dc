/**
 * SPL Token and Token-2022 for the local Solana server: the local stablecoin mints (USDC-like
 * and USDT-like classic mints, a PYUSD-like Token-2022 mint with a transfer fee), the
 * instructions that create them and mint to an owner's associated token account, and the
 * parsing of token accounts and mints (balances, `jsonParsed`).
 * @module
 * @internal
 */
import { base58 } from '@scure/base'
import type { LocalSolanaTokenSymbol } from './types.js'
import {
  ATA_PROGRAM,
  SYSTEM_PROGRAM,
  TOKEN_2022_PROGRAM,
  TOKEN_PROGRAM,
  associatedTokenAddress,
  u64le,
  type BuildInstruction,
} from './wire.js'

/** What each local stablecoin is. */
export const TOKEN_SPECS: Readonly<Record<LocalSolanaTokenSymbol, { name: string; decimals: number; program: 'token' | 'token-2022' }>> = {
  USDC: { name: 'USD Coin (local)', decimals: 6, program: 'token' },
  USDT: { name: 'Tether USD (local)', decimals: 6, program: 'token' },
  PYUSD: { name: 'PayPal USD (local)', decimals: 6, program: 'token-2022' },
}

export const programAddress = (program: 'token' | 'token-2022'): string => (program === 'token' ? TOKEN_PROGRAM : TOKEN_2022_PROGRAM)

const MINT_LEN = 82
const ACCOUNT_LEN = 165
/** Mint + padding + account type + TransferFeeConfig TLV (4 + 108). */
const MINT_WITH_TRANSFER_FEE_LEN = ACCOUNT_LEN + 1 + 4 + 108

const optionKey = (key: string | null): number[] => (key === null ? [0, ...new Uint8Array(32)] : [1, ...base58.decode(key)])

/** Instructions creating a mint (classic, or Token-2022 with a transfer fee when `transferFee` is given). */
export function createMintInstructions(
  payer: string,
  mint: string,
  authority: string,
  decimals: number,
  program: 'token' | 'token-2022',
  rentFor: (len: number) => bigint,
  transferFee?: { basisPoints: number; maximumFee: bigint },
): BuildInstruction[] {
  const programId = programAddress(program)
  const space = transferFee ? MINT_WITH_TRANSFER_FEE_LEN : MINT_LEN
  const ixs: BuildInstruction[] = [
    {
      programId: SYSTEM_PROGRAM,
      keys: [
        { address: payer, signer: true, writable: true },
        { address: mint, signer: true, writable: true },
      ],
      data: new Uint8Array([0, 0, 0, 0, ...u64le(rentFor(space)), ...u64le(BigInt(space)), ...base58.decode(programId)]),
    },
  ]
  if (transferFee) {
    const bps = [transferFee.basisPoints & 0xff, transferFee.basisPoints >> 8]
    ixs.push({
      programId,
      keys: [{ address: mint, writable: true }],
      // TransferFeeExtension (26) / InitializeTransferFeeConfig (0)
      data: new Uint8Array([26, 0, ...optionKey(authority), ...optionKey(authority), ...bps, ...u64le(transferFee.maximumFee)]),
    })
  }
  ixs.push({
    programId,
    keys: [{ address: mint, writable: true }],
    // InitializeMint2 (20): decimals, mint authority, no freeze authority
    data: new Uint8Array([20, decimals, ...base58.decode(authority), ...optionKey(null)]),
  })
  return ixs
}

/** Create the owner's associated token account (idempotent), then MintTo it. */
export function mintToInstructions(
  payer: string,
  owner: string,
  mint: string,
  authority: string,
  program: 'token' | 'token-2022',
  amount: bigint,
): BuildInstruction[] {
  const programId = programAddress(program)
  const ata = associatedTokenAddress(owner, mint, programId)
  return [
    {
      programId: ATA_PROGRAM,
      keys: [
        { address: payer, signer: true, writable: true },
        { address: ata, writable: true },
        { address: owner },
        { address: mint },
        { address: SYSTEM_PROGRAM },
        { address: programId },
      ],
      data: new Uint8Array([1]),
    },
    {
      programId,
      keys: [
        { address: mint, writable: true },
        { address: ata, writable: true },
        { address: authority, signer: true },
      ],
      data: new Uint8Array([7, ...u64le(amount)]),
    },
  ]
}

/** The parts of a token account the server reports. */
export interface TokenAccountState {
  mint: string
  owner: string
  amount: bigint
  state: 'uninitialized' | 'initialized' | 'frozen'
  isNative: boolean
  /** Token-2022 extensions, parsed as Agave's jsonParsed shows them. */
  extensions?: { extension: string; state?: Record<string, unknown> }[]
}

const u64At = (data: Uint8Array, at: number): bigint => new DataView(data.buffer, data.byteOffset).getBigUint64(at, true)

function extensionsOf(data: Uint8Array, base: number): { extension: string; state?: Record<string, unknown> }[] {
  const out: { extension: string; state?: Record<string, unknown> }[] = []
  const view = new DataView(data.buffer, data.byteOffset, data.length)
  let at = base
  while (at + 4 <= data.length) {
    const type = view.getUint16(at, true)
    const len = view.getUint16(at + 2, true)
    const v = at + 4
    if (type === 0) break
    if (type === 1 && len >= 108) {
      const fee = (o: number) => ({
        epoch: Number(u64At(data, v + o)),
        maximumFee: Number(u64At(data, v + o + 8)),
        transferFeeBasisPoints: view.getUint16(v + o + 16, true),
      })
      out.push({
        extension: 'transferFeeConfig',
        state: {
          transferFeeConfigAuthority: base58.encode(data.subarray(v, v + 32)),
          withdrawWithheldAuthority: base58.encode(data.subarray(v + 32, v + 64)),
          withheldAmount: Number(u64At(data, v + 64)),
          olderTransferFee: fee(72),
          newerTransferFee: fee(90),
        },
      })
    } else if (type === 2 && len >= 8) out.push({ extension: 'transferFeeAmount', state: { withheldAmount: Number(u64At(data, v)) } })
    else if (type === 7) out.push({ extension: 'immutableOwner' })
    else out.push({ extension: 'unparseableExtension' })
    at = v + len
  }
  return out
}

/** Parses a token account (classic or Token-2022); undefined for anything else. */
export function parseTokenAccount(owner: string, data: Uint8Array): TokenAccountState | undefined {
  if (owner !== TOKEN_PROGRAM && owner !== TOKEN_2022_PROGRAM) return undefined
  if (data.length < ACCOUNT_LEN) return undefined
  if (data.length > ACCOUNT_LEN && (owner === TOKEN_PROGRAM || data[ACCOUNT_LEN] !== 2)) return undefined
  const stateByte = data[108]!
  if (stateByte === 0) return undefined
  return {
    mint: base58.encode(data.subarray(0, 32)),
    owner: base58.encode(data.subarray(32, 64)),
    amount: u64At(data, 64),
    state: stateByte === 2 ? 'frozen' : 'initialized',
    isNative: new DataView(data.buffer, data.byteOffset).getUint32(109, true) === 1,
    ...(owner === TOKEN_2022_PROGRAM ? { extensions: data.length > ACCOUNT_LEN ? extensionsOf(data, ACCOUNT_LEN + 1) : [] } : {}),
  }
}

/** The parts of a mint the server reports; undefined for anything else. */
export function parseMint(
  owner: string,
  data: Uint8Array,
):
  | {
      decimals: number
      supply: bigint
      mintAuthority: string | null
      freezeAuthority: string | null
      isInitialized: boolean
      extensions?: { extension: string; state?: Record<string, unknown> }[]
    }
  | undefined {
  if (owner !== TOKEN_PROGRAM && owner !== TOKEN_2022_PROGRAM) return undefined
  if (data.length !== MINT_LEN && !(owner === TOKEN_2022_PROGRAM && data.length > ACCOUNT_LEN && data[ACCOUNT_LEN] === 1)) return undefined
  const view = new DataView(data.buffer, data.byteOffset, data.length)
  const key = (tagAt: number) => (view.getUint32(tagAt, true) === 1 ? base58.encode(data.subarray(tagAt + 4, tagAt + 36)) : null)
  return {
    mintAuthority: key(0),
    supply: u64At(data, 36),
    decimals: data[44]!,
    isInitialized: data[45] === 1,
    freezeAuthority: key(46),
    ...(owner === TOKEN_2022_PROGRAM ? { extensions: data.length > ACCOUNT_LEN ? extensionsOf(data, ACCOUNT_LEN + 1) : [] } : {}),
  }
}

/** Agave's UiTokenAmount. */
export function uiTokenAmount(
  amount: bigint,
  decimals: number,
): { amount: string; decimals: number; uiAmount: number | null; uiAmountString: string } {
  const s = amount.toString().padStart(decimals + 1, '0')
  const whole = s.slice(0, s.length - decimals)
  const frac = s.slice(s.length - decimals).replace(/0+$/, '')
  const uiAmountString = frac ? `${whole}.${frac}` : whole
  return { amount: amount.toString(), decimals, uiAmount: Number(uiAmountString), uiAmountString }
}

/** Agave's `jsonParsed` data of a token account or mint; undefined when it is neither. */
export function jsonParsedToken(owner: string, data: Uint8Array, decimalsOf: (mint: string) => number | undefined): unknown {
  const program = owner === TOKEN_PROGRAM ? 'spl-token' : 'spl-token-2022'
  const account = parseTokenAccount(owner, data)
  if (account) {
    const decimals = decimalsOf(account.mint)
    if (decimals === undefined) return undefined
    const info: Record<string, unknown> = {
      isNative: account.isNative,
      mint: account.mint,
      owner: account.owner,
      state: account.state,
      tokenAmount: uiTokenAmount(account.amount, decimals),
    }
    if (account.extensions && account.extensions.length > 0) info.extensions = account.extensions
    return { program, parsed: { info, type: 'account' }, space: data.length }
  }
  const mint = parseMint(owner, data)
  if (mint) {
    const info: Record<string, unknown> = {
      decimals: mint.decimals,
      freezeAuthority: mint.freezeAuthority,
      isInitialized: mint.isInitialized,
      mintAuthority: mint.mintAuthority,
      supply: mint.supply.toString(),
    }
    if (mint.extensions && mint.extensions.length > 0) info.extensions = mint.extensions
    return { program, parsed: { info, type: 'mint' }, space: data.length }
  }
  return undefined
}
