/**
 * Offline signing of Solana transactions (no network): the message bytes are decoded and checked
 * against the summary before the key is used (design rule 9: never sign over a builder's word).
 *
 * A `solana-v0` message must be a v0 message without address-table lookups whose only signer —
 * and fee payer — is `from` (the signer's address), whose lifetime is the payload's (blockhash,
 * or nonce with `AdvanceNonceAccount` of the payload's nonce account, authority `from`, first),
 * and whose instructions are only: SetComputeUnitLimit / SetComputeUnitPrice (once each), one
 * Memo (the payload's), one associated-token-account CreateIdempotent (payer `from`, owner
 * `summary.to`, the asset's mint) and exactly one transfer: System Transfer `from` → `summary.to`
 * of `summary.amount` lamports, or TransferChecked / Token-2022 TransferCheckedWithFee from
 * `from`'s associated token account to `summary.to`'s, authority `from`, the decimals and token
 * program of the asset as this adapter lists it, delivering `summary.amount` (amount − fee), with
 * the payload's references as read-only accounts after it. The most it can cost — 5,000 lamports
 * per signature + ceil(limit × price / 10^6) + the rent of a created token account (the payload's
 * word, bounded to 0.01 SOL) — must be at most `summary.fee`.
 *
 * A `solana-nonce-create` message (nonce.ts) must hold only compute-budget instructions,
 * CreateAccountWithSeed (payer and base `from`, the payload's seed, `summary.amount` lamports,
 * 80 bytes, owner System) of `summary.to` = createWithSeed(from, seed) and
 * InitializeNonceAccount(`summary.to`, authority `from`).
 *
 * Any difference is an InvalidArgumentError naming it; nothing is signed.
 * @module
 * @internal
 */
import { getCompiledTransactionMessageDecoder, getCompiledTransactionMessageEncoder } from '@solana/kit'
import { base58, base64 } from '@scure/base'
import { describe } from '../../core/assert.js'
import type { AssetId, ChainId } from '../../core/caip.js'
import { InvalidArgumentError, SignatureVerificationError } from '../../core/errors.js'
import type { AccountSigner, Ed25519Signer, Signer } from '../../keys/signer.js'
import type { Json, SignedTransaction, UnsignedTransaction } from '../adapter.js'
import type { SolanaToken } from './context.js'
import { LAMPORTS_PER_SIGNATURE, priorityFeeOf } from './fees.js'
import { SOL_DECIMALS } from './networks.js'
import { addressWithSeed, NONCE_ACCOUNT_SIZE } from './nonce.js'
import { decodeMovement } from './instructions.js'
import { associatedTokenAddress } from './pda.js'
import { u64Decimal } from './shapes.js'
import { ASSOCIATED_TOKEN_PROGRAM, COMPUTE_BUDGET_PROGRAM, MEMO_PROGRAM, SYSTEM_PROGRAM, tokenProgramAddress } from './programs.js'

const RECENT_BLOCKHASHES_SYSVAR = 'SysvarRecentB1ockHashes11111111111111111111'
const RENT_SYSVAR = 'SysvarRent111111111111111111111111111111111'
/** The most a created token account's rent may add to the fee bound (0.01 SOL). */
const MAX_ACCOUNT_RENT = 10_000_000n

function mismatch(what: string): never {
  throw new InvalidArgumentError(`The transaction does not match its summary: ${what}. Nothing was signed.`, {
    details: { mismatch: what },
  })
}

function u64Text(value: Json | undefined, what: string): bigint {
  const n = u64Decimal(value)
  if (n === undefined) throw new InvalidArgumentError(`${what} must be a decimal string of base units.`)
  return n
}

/** One decoded instruction with its accounts resolved. */
interface Ix {
  readonly program: string
  readonly accounts: readonly string[]
  readonly indices: readonly number[]
  readonly data: Uint8Array
}

/** A decoded message, checked for shape: v0, no lookups, one signer (the fee payer), no trailing bytes. */
interface Decoded {
  readonly keys: readonly string[]
  readonly lifetimeToken: string
  readonly instructions: readonly Ix[]
  readonly writable: (index: number) => boolean
}

function decodeMessage(bytes: Uint8Array, from: string): Decoded {
  let message: ReturnType<ReturnType<typeof getCompiledTransactionMessageDecoder>['decode']>
  try {
    message = getCompiledTransactionMessageDecoder().decode(bytes)
  } catch (cause) {
    throw new InvalidArgumentError('payload.message is not a Solana transaction message. Nothing was signed.', { cause })
  }
  if (message.version !== 0) mismatch(`message version ${String(message.version)} (coffer builds v0 messages)`)
  let again: Uint8Array
  try {
    again = new Uint8Array(getCompiledTransactionMessageEncoder().encode(message))
  } catch {
    mismatch('the message does not re-encode')
  }
  if (again.length !== bytes.length || again.some((b, i) => b !== bytes[i])) mismatch('the message has bytes beyond its instructions')
  const m = message as unknown as {
    header: { numSignerAccounts: number; numReadonlySignerAccounts: number; numReadonlyNonSignerAccounts: number }
    staticAccounts: string[]
    lifetimeToken: string
    instructions: { programAddressIndex: number; accountIndices?: number[]; data?: Uint8Array }[]
    addressTableLookups?: unknown[]
  }
  if ((m.addressTableLookups?.length ?? 0) > 0) mismatch('the message loads address lookup tables')
  const keys = m.staticAccounts
  const h = m.header
  if (h.numSignerAccounts !== 1) mismatch(`${h.numSignerAccounts} signers (only the sender signs)`)
  if (keys[0] !== from) mismatch(`the fee payer is ${keys[0]}, not the sender ${from}`)
  if (h.numReadonlySignerAccounts !== 0) mismatch('the fee payer is read-only')
  if (new Set(keys).size !== keys.length) mismatch('an account is listed twice')
  const writable = (i: number) =>
    i < h.numSignerAccounts ? i < h.numSignerAccounts - h.numReadonlySignerAccounts : i < keys.length - h.numReadonlyNonSignerAccounts
  const instructions = m.instructions.map((ix, n): Ix => {
    const indices = ix.accountIndices ?? []
    const all = [ix.programAddressIndex, ...indices]
    if (all.some((i) => !Number.isInteger(i) || i < 0 || i >= keys.length))
      mismatch(`instruction ${n} names an account the message does not list`)
    return { program: keys[ix.programAddressIndex]!, accounts: indices.map((i) => keys[i]!), indices, data: new Uint8Array(ix.data ?? []) }
  })
  return { keys, lifetimeToken: m.lifetimeToken, instructions, writable }
}

const le = (d: Uint8Array) => new DataView(d.buffer, d.byteOffset, d.byteLength)

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

/** Compute-budget facts of the message; refuses any compute-budget instruction but the limit and the price, and doubles. */
class Budget {
  limit: number | undefined
  price: bigint | undefined
  take(ix: Ix, n: number): void {
    if (ix.accounts.length !== 0) mismatch(`compute-budget instruction ${n} takes accounts`)
    if (ix.data[0] === 2 && ix.data.length === 5 && this.limit === undefined) this.limit = le(ix.data).getUint32(1, true)
    else if (ix.data[0] === 3 && ix.data.length === 9 && this.price === undefined) this.price = le(ix.data).getBigUint64(1, true)
    else mismatch(`compute-budget instruction ${n} is not one SetComputeUnitLimit / SetComputeUnitPrice`)
  }
  /** The most the message's fee can be (one signature), rent aside. */
  fee(): bigint {
    if (this.price !== undefined && this.price > 0n && this.limit === undefined)
      mismatch('a compute-unit price without a compute-unit limit')
    return LAMPORTS_PER_SIGNATURE + (this.price ? priorityFeeOf(this.limit ?? 0, this.price) : 0n)
  }
}

interface Lifetime {
  readonly kind: 'blockhash' | 'nonce'
  readonly token: string
  readonly nonceAccount?: string
}

function lifetimeOf(payload: UnsignedTransaction['payload']): Lifetime {
  const l = payload.lifetime as { [k: string]: Json } | undefined
  if (l && l.kind === 'blockhash' && typeof l.blockhash === 'string') return { kind: 'blockhash', token: l.blockhash }
  if (l && l.kind === 'nonce' && typeof l.nonce === 'string' && typeof l.nonceAccount === 'string')
    return { kind: 'nonce', token: l.nonce, nonceAccount: l.nonceAccount }
  throw new InvalidArgumentError('payload.lifetime must be a blockhash or nonce lifetime.')
}

/** Checks the AdvanceNonceAccount a nonce lifetime needs as the first instruction; returns how many instructions it used. */
function checkLifetime(d: Decoded, lifetime: Lifetime, from: string): number {
  if (d.lifetimeToken !== lifetime.token)
    mismatch(`the message's recent blockhash ${d.lifetimeToken} is not the payload lifetime's ${lifetime.token}`)
  const first = d.instructions[0]
  const advances = (ix: Ix | undefined) => ix?.program === SYSTEM_PROGRAM && ix.data.length === 4 && le(ix.data).getUint32(0, true) === 4
  if (lifetime.kind === 'blockhash') return 0
  if (!advances(first)) mismatch('a nonce lifetime without AdvanceNonceAccount first')
  if (!sameList(first!.accounts, [lifetime.nonceAccount!, RECENT_BLOCKHASHES_SYSVAR, from]))
    mismatch('AdvanceNonceAccount names another nonce account or authority')
  if (!d.writable(first!.indices[0]!)) mismatch('the nonce account is not writable')
  return 1
}

/**
 * `signer` as an ed25519 signer (the transaction, message and kit signers all take one).
 * @throws InvalidArgumentError
 */
export function ed25519SignerOf(signer: unknown): Ed25519Signer {
  const s = signer as Partial<Ed25519Signer> | null
  if (!s || typeof s !== 'object' || s.curve !== 'ed25519' || typeof s.signMessage !== 'function' || !(s.publicKey instanceof Uint8Array))
    throw new InvalidArgumentError(`A Solana signer is needed (vault.getSigner({ chain: 'solana', … })), got ${describe(signer)}.`)
  return s as Ed25519Signer
}

function signerOf(signer: Signer | AccountSigner, from: string): Ed25519Signer {
  const s = ed25519SignerOf(signer)
  if (s.address !== from || base58.encode(s.publicKey) !== from)
    throw new InvalidArgumentError(`The signer is ${String(s.address)}, but the transaction is from ${from}.`)
  return s
}

/** Checks a `solana-v0` transfer. */
function checkTransfer(
  d: Decoded,
  unsigned: UnsignedTransaction,
  nativeAsset: AssetId,
  tokens: readonly SolanaToken[],
  budget: Budget,
  start: number,
): void {
  const { from, summary, payload } = unsigned
  const native = summary.asset === nativeAsset
  const token = native ? undefined : tokens.find((t) => t.asset === summary.asset)
  if (!native && !token) mismatch(`the asset ${summary.asset} is not one this adapter lists`)
  const decimals = token ? token.decimals : SOL_DECIMALS
  if (summary.decimals !== undefined && summary.decimals !== decimals)
    mismatch(`summary.decimals ${summary.decimals}, the asset has ${decimals}`)
  if (summary.symbol !== undefined && summary.symbol !== (token ? token.symbol : 'SOL')) mismatch(`summary.symbol ${summary.symbol}`)
  const amount = u64Text(summary.amount, 'summary.amount')
  const feeBound = u64Text(summary.fee, 'summary.fee')
  const program = token ? tokenProgramAddress(token.program) : SYSTEM_PROGRAM
  if (payload.program !== program) mismatch(`payload.program ${String(payload.program)} is not the asset's program ${program}`)
  if (token && payload.mint !== token.mint) mismatch(`payload.mint ${String(payload.mint)} is not the asset's mint`)
  if (payload.decimals !== decimals) mismatch(`payload.decimals ${String(payload.decimals)}, the asset has ${decimals}`)
  const memo = payload.memo ?? null
  if (memo !== null && typeof memo !== 'string') mismatch('payload.memo is not a string')
  const references = payload.references ?? []
  if (!Array.isArray(references) || !references.every((r) => typeof r === 'string')) mismatch('payload.references is not a list of keys')
  const transferFee = u64Text(payload.transferFee ?? '0', 'payload.transferFee')
  const rent = u64Text(payload.accountRent ?? '0', 'payload.accountRent')
  if (rent > MAX_ACCOUNT_RENT) mismatch(`payload.accountRent ${rent} is above ${MAX_ACCOUNT_RENT} lamports`)
  const fromAta = token ? associatedTokenAddress(from, token.mint, program) : undefined
  const toAta = token ? associatedTokenAddress(summary.to, token.mint, program) : undefined
  let memoSeen = false
  let createSeen = false
  let transfers = 0
  d.instructions.forEach((ix, n) => {
    if (n < start) return
    if (ix.program === COMPUTE_BUDGET_PROGRAM) return budget.take(ix, n)
    if (transfers > 0) mismatch(`instruction ${n} comes after the transfer`)
    if (ix.program === MEMO_PROGRAM) {
      if (memoSeen || memo === null) mismatch('a memo the payload does not name')
      if (ix.accounts.length !== 0) mismatch('the memo names signers')
      let text: string
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(ix.data)
      } catch {
        mismatch('the memo is not UTF-8')
      }
      if (text !== memo) mismatch(`the memo ${JSON.stringify(text.slice(0, 80))} is not the payload's`)
      memoSeen = true
      return
    }
    if (ix.program === ASSOCIATED_TOKEN_PROGRAM) {
      if (!token || createSeen || payload.createsRecipientAccount !== true)
        mismatch('a token-account creation the payload does not announce')
      if (ix.data.length !== 1 || ix.data[0] !== 1) mismatch('the token-account creation is not CreateIdempotent')
      if (!sameList(ix.accounts, [from, toAta!, summary.to, token.mint, SYSTEM_PROGRAM, program]))
        mismatch("the token-account creation is not the recipient's associated account paid by the sender")
      createSeen = true
      return
    }
    if (ix.program === SYSTEM_PROGRAM && native) {
      if (ix.data.length !== 12 || le(ix.data).getUint32(0, true) !== 2) mismatch(`System instruction ${n} is not a Transfer`)
      if (!sameList(ix.accounts.slice(0, 2), [from, summary.to])) mismatch(`the SOL transfer goes to ${ix.accounts[1]}, not ${summary.to}`)
      if (!sameList(ix.accounts.slice(2), references as string[])) mismatch('the transfer carries other reference keys than the payload')
      const lamports = le(ix.data).getBigUint64(4, true)
      if (lamports !== amount) mismatch(`the transfer moves ${lamports} lamports, the summary says ${amount}`)
      if (transferFee !== 0n) mismatch('a transfer fee on SOL')
      transfers++
      return checkReferenceRoles(d, ix, 2)
    }
    if (token && ix.program === program) {
      const m = decodeMovement({ programId: ix.program, accounts: ix.accounts, data: ix.data })
      if (m?.kind !== 'token' || (m.instruction !== 'transferChecked' && m.instruction !== 'transferCheckedWithFee'))
        mismatch(`token instruction ${n} is not TransferChecked / TransferCheckedWithFee`)
      const { amount: gross, fee, decimals: ixDecimals } = m
      if (!sameList(ix.accounts.slice(0, 4), [fromAta!, token.mint, toAta!, from]))
        mismatch("the token transfer is not from the sender's associated account to the recipient's, authority the sender")
      if (!sameList(ix.accounts.slice(4), references as string[])) mismatch('the transfer carries other reference keys than the payload')
      if (ixDecimals !== decimals) mismatch(`the transfer says ${ixDecimals} decimals, the asset has ${decimals}`)
      if (fee !== transferFee) mismatch(`the transfer fee ${fee} is not the payload's ${transferFee}`)
      if (gross - fee !== amount) mismatch(`${gross - fee} arrives, the summary says ${amount}`)
      transfers++
      return checkReferenceRoles(d, ix, 4)
    }
    mismatch(`instruction ${n} calls ${ix.program}, which a transfer does not use`)
  })
  if (transfers !== 1) mismatch('no transfer')
  if (memo !== null && !memoSeen) mismatch('the payload memo is missing from the message')
  if (payload.createsRecipientAccount === true && !createSeen) mismatch('the announced token-account creation is missing')
  checkWritable(d, [
    from,
    ...(native ? [summary.to] : [fromAta!, toAta!]),
    ...(typeof (payload.lifetime as { nonceAccount?: Json })?.nonceAccount === 'string'
      ? [(payload.lifetime as { nonceAccount: string }).nonceAccount]
      : []),
  ])
  const most = budget.fee() + (createSeen ? rent : 0n)
  if (most > feeBound) mismatch(`the fee can reach ${most} lamports, the summary says at most ${feeBound}`)
}

/** Exactly `expected` are writable: a flipped header byte cannot change which accounts the message may write. */
function checkWritable(d: Decoded, expected: readonly string[]): void {
  d.keys.forEach((key, i) => {
    if (d.writable(i) !== expected.includes(key)) mismatch(`${key} is ${d.writable(i) ? '' : 'not '}writable`)
  })
}

/** Reference keys must be read-only non-signers. */
function checkReferenceRoles(d: Decoded, ix: Ix, from: number): void {
  for (const i of ix.indices.slice(from)) if (i === 0 || d.writable(i)) mismatch('a reference key is writable or a signer')
}

/** Checks a `solana-nonce-create` message. */
function checkNonceCreate(d: Decoded, unsigned: UnsignedTransaction, nativeAsset: AssetId, budget: Budget): void {
  const { from, summary, payload } = unsigned
  if (summary.asset !== nativeAsset) mismatch('a nonce account holds SOL')
  const seed = payload.seed
  if (typeof seed !== 'string') mismatch('payload.seed is missing')
  const nonce = addressWithSeed(from, seed)
  if (summary.to !== nonce || payload.nonceAccount !== nonce) mismatch(`the nonce account is ${nonce}`)
  const lamports = u64Text(summary.amount, 'summary.amount')
  const feeBound = u64Text(summary.fee, 'summary.fee')
  const rest = d.instructions.filter((ix, n) => (ix.program === COMPUTE_BUDGET_PROGRAM ? (budget.take(ix, n), false) : true))
  if (rest.length !== 2) mismatch('a nonce-account creation is CreateAccountWithSeed and InitializeNonceAccount')
  const [create, init] = rest as [Ix, Ix]
  const seedBytes = new TextEncoder().encode(seed)
  const expect = new Uint8Array(4 + 32 + 8 + seedBytes.length + 8 + 8 + 32)
  const v = le(expect)
  v.setUint32(0, 3, true)
  expect.set(base58.decode(from), 4)
  v.setBigUint64(36, BigInt(seedBytes.length), true)
  expect.set(seedBytes, 44)
  v.setBigUint64(44 + seedBytes.length, lamports, true)
  v.setBigUint64(52 + seedBytes.length, BigInt(NONCE_ACCOUNT_SIZE), true)
  expect.set(base58.decode(SYSTEM_PROGRAM), 60 + seedBytes.length)
  if (create.program !== SYSTEM_PROGRAM || create.data.length !== expect.length || create.data.some((b, i) => b !== expect[i]))
    mismatch('CreateAccountWithSeed differs (base, seed, lamports, space or owner)')
  if (!sameList(create.accounts, [from, nonce, from]) && !sameList(create.accounts, [from, nonce]))
    mismatch('CreateAccountWithSeed names other accounts')
  const initData = new Uint8Array(36)
  le(initData).setUint32(0, 6, true)
  initData.set(base58.decode(from), 4)
  if (init.program !== SYSTEM_PROGRAM || init.data.length !== 36 || init.data.some((b, i) => b !== initData[i]))
    mismatch('InitializeNonceAccount names another authority')
  if (!sameList(init.accounts, [nonce, RECENT_BLOCKHASHES_SYSVAR, RENT_SYSVAR])) mismatch('InitializeNonceAccount names other accounts')
  checkWritable(d, [from, nonce])
  const most = budget.fee()
  if (most > feeBound) mismatch(`the fee can reach ${most} lamports, the summary says at most ${feeBound}`)
}

/**
 * Checks `unsigned` against its summary (see the module comment) and signs it with `signer`, offline.
 * @throws InvalidArgumentError (a mismatch, another chain, a signer that is not the sender's ed25519 key); SignatureVerificationError; the signer's errors (VaultLockedError, KeyWipedError)
 */
export async function signSolanaTransaction(
  chainId: ChainId,
  nativeAsset: AssetId,
  tokens: readonly SolanaToken[],
  unsigned: UnsignedTransaction,
  signer: Signer | AccountSigner,
): Promise<SignedTransaction> {
  if (!unsigned || typeof unsigned !== 'object' || !unsigned.summary || !unsigned.payload)
    throw new InvalidArgumentError('Not an unsigned transaction (summary and payload missing).')
  if (unsigned.chainId !== chainId) throw new InvalidArgumentError(`This transaction is for ${String(unsigned.chainId)}, not ${chainId}.`)
  if (unsigned.kind !== 'solana-v0' && unsigned.kind !== 'solana-nonce-create')
    throw new InvalidArgumentError(`Unknown Solana transaction kind ${JSON.stringify(String(unsigned.kind))}.`)
  const from = unsigned.from
  const s = signerOf(signer, from)
  if (typeof unsigned.payload.message !== 'string') throw new InvalidArgumentError('payload.message must be base64 message bytes.')
  let bytes: Uint8Array
  try {
    bytes = base64.decode(unsigned.payload.message)
  } catch (cause) {
    throw new InvalidArgumentError('payload.message is not base64.', { cause })
  }
  const decoded = decodeMessage(bytes, from)
  const lifetime = lifetimeOf(unsigned.payload)
  const budget = new Budget()
  if (unsigned.kind === 'solana-v0') checkTransfer(decoded, unsigned, nativeAsset, tokens, budget, checkLifetime(decoded, lifetime, from))
  else {
    if (lifetime.kind !== 'blockhash') mismatch('a nonce account is created on a recent blockhash')
    checkLifetime(decoded, lifetime, from)
    checkNonceCreate(decoded, unsigned, nativeAsset, budget)
  }
  // coffer's signers verify each signature themselves (unless made with `verify: false` for a
  // measured hot path), as on every chain; a signature that does not verify would be refused by
  // the node, never paid out. Only its shape is checked here.
  const signature = await s.signMessage(bytes)
  if (!(signature instanceof Uint8Array) || signature.length !== 64)
    throw new SignatureVerificationError('The signer returned something other than a 64-byte ed25519 signature; nothing was returned.')
  const wire = new Uint8Array(1 + 64 + bytes.length)
  wire[0] = 1
  wire.set(signature, 1)
  wire.set(bytes, 65)
  return Object.freeze({ chainId, kind: unsigned.kind, from, hash: base58.encode(signature), raw: base64.encode(wire) })
}
