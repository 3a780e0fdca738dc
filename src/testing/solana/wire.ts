/**
 * The Solana wire format, as the local Solana server needs it: parsing transactions (legacy and
 * v0) into their signatures, header, account keys, blockhash and instructions; building and
 * signing the server's own legacy transactions (funding, mints); program-derived addresses.
 * Written by hand over @noble and @scure so the server does not depend on the client library
 * it checks.
 * @module
 * @internal
 */
import { ed25519 } from '@noble/curves/ed25519'
import { sha256 } from '@noble/hashes/sha2'
import { base58 } from '@scure/base'

export const SYSTEM_PROGRAM = '11111111111111111111111111111111'
export const TOKEN_PROGRAM = 'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA'
export const TOKEN_2022_PROGRAM = 'TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb'
export const ATA_PROGRAM = 'ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL'
const COMPUTE_BUDGET_PROGRAM = 'ComputeBudget111111111111111111111111111111'
const MEMO_PROGRAMS = ['MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr', 'Memo1UhkJRfHyvLMcVucJwxXeuD728EqVDDwQDxFMNo']

/** One compiled instruction. */
interface WireInstruction {
  programIdIndex: number
  accounts: number[]
  data: Uint8Array
}

/** An address table lookup of a v0 message. */
interface WireLookup {
  accountKey: string
  writableIndexes: number[]
  readonlyIndexes: number[]
}

/** A parsed transaction. */
export interface WireTransaction {
  bytes: Uint8Array
  signatures: Uint8Array[]
  messageBytes: Uint8Array
  version: 'legacy' | 0
  header: { numRequiredSignatures: number; numReadonlySignedAccounts: number; numReadonlyUnsignedAccounts: number }
  staticKeys: string[]
  recentBlockhash: string
  /** Offset of the blockhash inside messageBytes (to replace it). */
  blockhashOffset: number
  instructions: WireInstruction[]
  lookups: WireLookup[]
}

/** Thrown for bytes that are not a transaction; the message says why. */
class WireError extends Error {}

class Reader {
  pos = 0
  constructor(readonly bytes: Uint8Array) {}
  u8(): number {
    if (this.pos >= this.bytes.length) throw new WireError('io error: failed to fill whole buffer')
    return this.bytes[this.pos++]!
  }
  take(n: number): Uint8Array {
    if (this.pos + n > this.bytes.length) throw new WireError('io error: failed to fill whole buffer')
    const out = this.bytes.subarray(this.pos, this.pos + n)
    this.pos += n
    return out
  }
  shortVec(): number {
    let value = 0
    for (let i = 0; i < 3; i++) {
      const b = this.u8()
      value |= (b & 0x7f) << (7 * i)
      if ((b & 0x80) === 0) return value
    }
    throw new WireError('invalid compact-u16 length')
  }
  bytesVec(): number[] {
    return [...this.take(this.shortVec())]
  }
}

function shortVec(n: number): number[] {
  const out: number[] = []
  for (;;) {
    const b = n & 0x7f
    n >>= 7
    if (n === 0) {
      out.push(b)
      return out
    }
    out.push(b | 0x80)
  }
}

/** Parses a message (legacy or v0). */
export function parseMessage(messageBytes: Uint8Array): Omit<WireTransaction, 'bytes' | 'signatures' | 'messageBytes'> {
  const r = new Reader(messageBytes)
  let version: 'legacy' | 0 = 'legacy'
  const first = messageBytes[0] ?? 0
  if (first & 0x80) {
    const v = first & 0x7f
    if (v !== 0) throw new WireError(`unsupported transaction version ${v}`)
    version = 0
    r.pos = 1
  }
  const header = { numRequiredSignatures: r.u8(), numReadonlySignedAccounts: r.u8(), numReadonlyUnsignedAccounts: r.u8() }
  const keyCount = r.shortVec()
  const staticKeys: string[] = []
  for (let i = 0; i < keyCount; i++) staticKeys.push(base58.encode(r.take(32)))
  const blockhashOffset = r.pos
  const recentBlockhash = base58.encode(r.take(32))
  const instructions: WireInstruction[] = []
  const ixCount = r.shortVec()
  for (let i = 0; i < ixCount; i++) {
    const programIdIndex = r.u8()
    const accounts = r.bytesVec()
    const data = new Uint8Array(r.take(r.shortVec()))
    instructions.push({ programIdIndex, accounts, data })
  }
  const lookups: WireLookup[] = []
  if (version === 0) {
    const n = r.shortVec()
    for (let i = 0; i < n; i++)
      lookups.push({ accountKey: base58.encode(r.take(32)), writableIndexes: r.bytesVec(), readonlyIndexes: r.bytesVec() })
  }
  if (r.pos !== messageBytes.length) throw new WireError('trailing bytes after the message')
  return { version, header, staticKeys, recentBlockhash, blockhashOffset, instructions, lookups }
}

/** Parses a wire transaction. @throws WireError */
export function parseTransaction(bytes: Uint8Array): WireTransaction {
  const r = new Reader(bytes)
  const n = r.shortVec()
  const signatures: Uint8Array[] = []
  for (let i = 0; i < n; i++) signatures.push(new Uint8Array(r.take(64)))
  const messageBytes = new Uint8Array(bytes.subarray(r.pos))
  return { bytes, signatures, messageBytes, ...parseMessage(messageBytes) }
}

/**
 * Agave's sanitize checks, in its words; undefined when the transaction is well-formed.
 * (Loaded-address indexes are checked when the lookup tables are read.)
 */
export function sanitizeError(tx: WireTransaction): string | undefined {
  const { header, staticKeys, instructions, lookups } = tx
  const loaded = lookups.reduce((s, l) => s + l.writableIndexes.length + l.readonlyIndexes.length, 0)
  const total = staticKeys.length + loaded
  const bad =
    tx.signatures.length !== header.numRequiredSignatures ||
    header.numRequiredSignatures === 0 ||
    header.numRequiredSignatures > staticKeys.length ||
    header.numReadonlySignedAccounts >= header.numRequiredSignatures ||
    header.numReadonlyUnsignedAccounts > staticKeys.length - header.numRequiredSignatures ||
    total > 256 ||
    new Set(staticKeys).size !== staticKeys.length ||
    instructions.some((ix) => ix.programIdIndex === 0 || ix.programIdIndex >= staticKeys.length || ix.accounts.some((a) => a >= total))
  return bad ? 'Transaction failed to sanitize accounts offsets correctly' : undefined
}

/** True if every required signature verifies. */
export function verifySignatures(tx: WireTransaction): boolean {
  return tx.signatures.every((sig, i) => {
    try {
      return ed25519.verify(sig, tx.messageBytes, base58.decode(tx.staticKeys[i]!))
    } catch {
      return false
    }
  })
}

/** The transaction's id: base58 of its first signature. */
export const signatureOf = (tx: WireTransaction): string => base58.encode(tx.signatures[0] ?? new Uint8Array(64))

/** True when the static key at `index` is writable (loaded keys excluded). */
export function isStaticWritable(tx: WireTransaction, index: number): boolean {
  const { numRequiredSignatures: s, numReadonlySignedAccounts: rs, numReadonlyUnsignedAccounts: ru } = tx.header
  if (index < s) return index < s - rs
  return index < tx.staticKeys.length - ru
}

/** A durable-nonce transaction: its first instruction is System AdvanceNonceAccount. */
export function isNonceTransaction(tx: WireTransaction): boolean {
  const ix = tx.instructions[0]
  if (!ix || tx.staticKeys[ix.programIdIndex] !== SYSTEM_PROGRAM || ix.data.length < 4) return false
  return new DataView(ix.data.buffer, ix.data.byteOffset).getUint32(0, true) === 4
}

/** Compute-unit limit and price (µlamports per CU) set by ComputeBudget instructions. */
export function computeBudget(tx: WireTransaction): { limit: number; price: bigint } {
  let limit: number | undefined
  let price = 0n
  let others = 0
  for (const ix of tx.instructions) {
    if (tx.staticKeys[ix.programIdIndex] !== COMPUTE_BUDGET_PROGRAM) {
      others++
      continue
    }
    const v = new DataView(ix.data.buffer, ix.data.byteOffset, ix.data.length)
    if (ix.data[0] === 2 && ix.data.length >= 5) limit = v.getUint32(1, true)
    if (ix.data[0] === 3 && ix.data.length >= 9) price = v.getBigUint64(1, true)
  }
  return { limit: Math.min(limit ?? 200_000 * others, 1_400_000), price }
}

/** Agave's fee: 5,000 lamports per signature plus ceil(limit × price / 1e6). */
export function feeOf(tx: Pick<WireTransaction, 'header' | 'instructions' | 'staticKeys'>): bigint {
  const { limit, price } = computeBudget(tx as WireTransaction)
  const priority = (BigInt(limit) * price + 999_999n) / 1_000_000n
  return 5000n * BigInt(tx.header.numRequiredSignatures) + priority
}

/** Agave's memo field: "[len] text" for each Memo-program instruction, joined by "; ". */
export function memoOf(tx: WireTransaction): string | null {
  const memos = tx.instructions
    .filter((ix) => MEMO_PROGRAMS.includes(tx.staticKeys[ix.programIdIndex] ?? ''))
    .map((ix) => {
      const text = new TextDecoder().decode(ix.data)
      return `[${text.length}] ${text}`
    })
  return memos.length === 0 ? null : memos.join('; ')
}

// ---- building the server's own transactions ----

/** An ed25519 key pair. */
export interface KeyPair {
  address: string
  secret: Uint8Array
}

export function newKeyPair(): KeyPair {
  const secret = ed25519.utils.randomPrivateKey()
  return { address: base58.encode(ed25519.getPublicKey(secret)), secret }
}

/** An instruction to compile. */
export interface BuildInstruction {
  programId: string
  keys: { address: string; signer?: boolean; writable?: boolean }[]
  data: Uint8Array
}

/** Compiles and signs a legacy transaction; `signers[0]` pays the fee. */
export function buildTransaction(signers: KeyPair[], blockhash: string, instructions: BuildInstruction[]): Uint8Array {
  const metas = new Map<string, { signer: boolean; writable: boolean }>()
  const touch = (address: string, signer: boolean, writable: boolean): void => {
    const m = metas.get(address)
    metas.set(address, { signer: signer || (m?.signer ?? false), writable: writable || (m?.writable ?? false) })
  }
  touch(signers[0]!.address, true, true)
  for (const s of signers) touch(s.address, true, false)
  for (const ix of instructions) {
    for (const k of ix.keys) touch(k.address, k.signer ?? false, k.writable ?? false)
    touch(ix.programId, false, false)
  }
  const entries = [...metas.entries()]
  const group = (signer: boolean, writable: boolean) =>
    entries.filter(([, m]) => m.signer === signer && m.writable === writable).map(([a]) => a)
  const payer = signers[0]!.address
  const keys = [
    payer,
    ...group(true, true).filter((a) => a !== payer),
    ...group(true, false),
    ...group(false, true),
    ...group(false, false),
  ]
  const numSigners = group(true, true).length + group(true, false).length
  const bytes: number[] = [numSigners, group(true, false).length, group(false, false).length, ...shortVec(keys.length)]
  for (const k of keys) bytes.push(...base58.decode(k))
  bytes.push(...base58.decode(blockhash), ...shortVec(instructions.length))
  for (const ix of instructions) {
    bytes.push(keys.indexOf(ix.programId), ...shortVec(ix.keys.length), ...ix.keys.map((k) => keys.indexOf(k.address)))
    bytes.push(...shortVec(ix.data.length), ...ix.data)
  }
  const message = new Uint8Array(bytes)
  const sigs = keys.slice(0, numSigners).map((k) => ed25519.sign(message, signers.find((s) => s.address === k)!.secret))
  return new Uint8Array([...shortVec(sigs.length), ...sigs.flatMap((s) => [...s]), ...message])
}

/** The program-derived address of `seeds` under `programId` (highest bump off the curve). */
function findProgramAddress(seeds: Uint8Array[], programId: string): string {
  const program = base58.decode(programId)
  const marker = new TextEncoder().encode('ProgramDerivedAddress')
  for (let bump = 255; bump >= 0; bump--) {
    const hash = sha256(new Uint8Array([...seeds.flatMap((s) => [...s]), bump, ...program, ...marker]))
    try {
      ed25519.ExtendedPoint.fromHex(hash)
    } catch {
      return base58.encode(hash)
    }
  }
  throw new Error('no program-derived address')
}

/** The associated token account of `owner` for `mint` under `tokenProgram`. */
export function associatedTokenAddress(owner: string, mint: string, tokenProgram: string): string {
  return findProgramAddress([base58.decode(owner), base58.decode(tokenProgram), base58.decode(mint)], ATA_PROGRAM)
}

export function u64le(value: bigint): number[] {
  const out = new Uint8Array(8)
  new DataView(out.buffer).setBigUint64(0, value, true)
  return [...out]
}
