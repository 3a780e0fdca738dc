/**
 * Durable nonces, for signing that takes longer than a minute.
 *
 * Which lifetime to use when: a transaction built on a recent blockhash (the default) is valid
 * for about 150 blocks — 60 to 90 seconds — so sign and broadcast it within a minute of building
 * it. An offline signer (an air-gapped machine, a walk to a safe) cannot; for it, create a nonce
 * account once ({@link createNonceAccount}: System `CreateAccountWithSeed` with base = the sender,
 * so the vault key is the only signer, then `InitializeNonceAccount` with the sender as
 * authority), then build with `{ durableNonce: { account } }`: the transaction starts with
 * `AdvanceNonceAccount` and stays valid until it lands or the nonce is advanced by another
 * transaction. Its rent (0.00144768 SOL for the 80-byte account) stays the sender's: the authority
 * can withdraw it.
 *
 * Nonce account layout: see accounts.ts ({@link decodeNonce}).
 * @module
 */
import { AccountRole, address, createNoopSigner, type Instruction } from '@solana/kit'
import { getSetComputeUnitLimitInstruction, getSetComputeUnitPriceInstruction } from '@solana-program/compute-budget'
import { getCreateAccountWithSeedInstruction, getInitializeNonceAccountInstruction } from '@solana-program/system'
import { sha256 } from '@noble/hashes/sha2.js'
import { base58, base64 } from '@scure/base'
import { DataIntegrityError, InsufficientFundsError, InvalidArgumentError } from '../../core/errors.js'
import { formatAmount } from '../../core/amount.js'
import type { UnsignedTransaction } from '../adapter.js'
import { decodeNonce, NONCE_ACCOUNT_SIZE } from './accounts.js'
import type { SolanaCall } from './context.js'
import { feeLevels } from './fees.js'
import { SOL_DECIMALS } from './networks.js'
import { addressBytes } from './pda.js'
import { SYSTEM_PROGRAM } from './programs.js'
import { accountOf, arrayOf, lamportsOf, malformed, resultOf, withContext, type AccountInfo } from './shapes.js'
import { compileMessage, latestBlockhash } from './transaction.js'

export { NONCE_ACCOUNT_SIZE } from './accounts.js'
/** The compute units a nonce-account creation requests (two System instructions and two compute-budget ones use ~600). */
const NONCE_CREATE_COMPUTE_UNITS = 10_000
/** Default seed of {@link createNonceAccount}. */
const DEFAULT_NONCE_SEED = 'coffer-nonce-0'

/** A durable nonce account. */
export interface NonceAccount {
  readonly address: string
  /** Who may advance (and withdraw from) it. */
  readonly authority: string
  /** The current durable nonce: a transaction's "recent blockhash" while this nonce stands. */
  readonly nonce: string
  /** The account's balance (its rent). */
  readonly lamports: bigint
}

/** `createWithSeed(base, seed, owner)`: sha256(base ‖ seed ‖ owner), as the System program derives it. @throws InvalidArgumentError */
export function addressWithSeed(base: string, seed: string, owner = SYSTEM_PROGRAM): string {
  const seedBytes = new TextEncoder().encode(seed)
  if (seedBytes.length > 32) throw new InvalidArgumentError('A seed is at most 32 bytes.')
  const ownerBytes = addressBytes(owner, 'owner')
  const bytes = new Uint8Array(32 + seedBytes.length + 32)
  bytes.set(addressBytes(base, 'base'))
  bytes.set(seedBytes, 32)
  bytes.set(ownerBytes, 32 + seedBytes.length)
  return base58.encode(sha256(bytes))
}

/** `account` (at `addressText`) as a nonce account. @throws InvalidArgumentError when it is absent or not an initialized nonce account */
function nonceAccountOf(addressText: string, account: AccountInfo | null): NonceAccount {
  if (account === null) throw new InvalidArgumentError(`The nonce account ${addressText} does not exist (create it first).`)
  const decoded = decodeNonce(account.owner, account.data)
  if (!decoded)
    throw new InvalidArgumentError(
      `${addressText} is not an initialized nonce account (a System account of ${NONCE_ACCOUNT_SIZE} bytes, initialized).`,
    )
  return Object.freeze({ address: addressText, authority: decoded.authority, nonce: decoded.nonce, lamports: account.lamports })
}

/** Reads a durable nonce account (`getAccountInfo`). @throws InvalidArgumentError (absent, not a nonce account), RpcError */
export async function readNonceAccount(call: SolanaCall, account: string): Promise<NonceAccount> {
  const method = 'getAccountInfo'
  const answer = await call.rpc.call<unknown>(method, [account, { encoding: 'base64', commitment: call.commitment }], {
    signal: call.signal,
  })
  return nonceAccountOf(account, accountOf(withContext(answer, method).value, method, 'value'))
}

/** The two instructions that create and initialize the nonce account `nonce` = createWithSeed(from, seed) with `lamports`. */
export function nonceCreateInstructions(from: string, seed: string, lamports: bigint): Instruction[] {
  const payer = createNoopSigner(address(from))
  const nonce = addressWithSeed(from, seed)
  const create = getCreateAccountWithSeedInstruction({
    payer,
    newAccount: address(nonce),
    baseAccount: payer,
    base: address(from),
    seed,
    amount: lamports,
    space: NONCE_ACCOUNT_SIZE,
    programAddress: address(SYSTEM_PROGRAM),
  })
  const init = getInitializeNonceAccountInstruction({ nonceAccount: address(nonce), nonceAuthority: address(from) })
  return [create, { ...init, accounts: init.accounts.map((a) => ({ address: a.address, role: a.role ?? AccountRole.READONLY })) }]
}

/** Options of {@link createNonceAccount}. */
export interface CreateNonceAccountOptions {
  /** Seed of the account address (createWithSeed(from, seed, System)); default `coffer-nonce-0`. At most 32 bytes. */
  readonly seed?: string
}

/**
 * An unsigned transaction (kind `solana-nonce-create`) that creates and initializes a durable nonce
 * account for `from` (authority `from`), at the normal fee level. Sign and broadcast it like a
 * transfer. One batch (account, rent, priority fees) and one `getLatestBlockhash`.
 * @throws InvalidArgumentError (bad seed, the account already exists), InsufficientFundsError, FeeTooHighError, RpcError
 */
export async function createNonceAccount(
  call: SolanaCall,
  from: string,
  options: CreateNonceAccountOptions = {},
): Promise<{ unsigned: UnsignedTransaction; address: string }> {
  const seed = options.seed ?? DEFAULT_NONCE_SEED
  if (typeof seed !== 'string' || seed.length === 0) throw new InvalidArgumentError('seed must be a non-empty string of at most 32 bytes.')
  const nonce = addressWithSeed(from, seed)
  const [accounts, rent, fees] = await call.rpc.batch<unknown>(
    [
      {
        method: 'getMultipleAccounts',
        params: [[from, nonce], { encoding: 'base64', commitment: call.commitment, dataSlice: { offset: 0, length: 0 } }],
      },
      { method: 'getMinimumBalanceForRentExemption', params: [NONCE_ACCOUNT_SIZE, { commitment: call.commitment }] },
      { method: 'getRecentPrioritizationFees', params: [[from, nonce]] },
    ],
    { signal: call.signal },
  )
  const accountsMethod = 'getMultipleAccounts'
  const list = arrayOf(withContext(resultOf(accounts, accountsMethod), accountsMethod).value, accountsMethod, 'value')
  if (list.length !== 2) throw malformed(accountsMethod, `asked for 2 accounts, got ${list.length}`)
  const [fromAccount, nonceAccount] = list.map((v, i) => accountOf(v, accountsMethod, `value[${i}]`))
  const rentMethod = 'getMinimumBalanceForRentExemption'
  const lamports = lamportsOf(resultOf(rent, rentMethod), rentMethod, 'the answer')
  if (lamports === 0n) throw malformed(rentMethod, 'the rent of an 80-byte account is 0')
  if (lamports > 10_000_000n) throw new DataIntegrityError(`The node says an 80-byte account needs ${lamports} lamports of rent; refusing.`)
  if (nonceAccount !== null)
    throw new InvalidArgumentError(
      `The nonce account ${nonce} (seed ${JSON.stringify(seed)}) already exists; use it, or choose another seed.`,
    )
  const level = 'normal'
  const fee = feeLevels(
    call.nativeAsset,
    call.maxPriorityFee,
    resultOf(fees, 'getRecentPrioritizationFees'),
    NONCE_CREATE_COMPUTE_UNITS,
    1,
    { level },
  )[level]
  const balance = fromAccount?.lamports ?? 0n
  const needed = lamports + fee.amount
  if (balance < needed)
    throw new InsufficientFundsError(
      `Not enough SOL for a nonce account: ${formatAmount(lamports, SOL_DECIMALS)} SOL of rent plus up to ${formatAmount(fee.amount, SOL_DECIMALS)} SOL fee, the balance is ${formatAmount(balance, SOL_DECIMALS)} SOL.`,
      { details: { asset: call.nativeAsset, needed: needed.toString(), available: balance.toString() } },
    )
  const price = BigInt(fee.details.computeUnitPrice as string)
  const lifetime = await latestBlockhash(call)
  const message = compileMessage(
    from,
    [
      getSetComputeUnitLimitInstruction({ units: NONCE_CREATE_COMPUTE_UNITS }),
      getSetComputeUnitPriceInstruction({ microLamports: price }),
      ...nonceCreateInstructions(from, seed, lamports),
    ],
    lifetime,
  )
  return {
    address: nonce,
    unsigned: Object.freeze({
      chainId: call.chainId,
      kind: 'solana-nonce-create',
      from,
      summary: {
        to: nonce,
        asset: call.nativeAsset,
        amount: String(lamports),
        fee: fee.amount.toString(),
        symbol: 'SOL',
        decimals: SOL_DECIMALS,
      },
      payload: { message: base64.encode(message), lifetime: { ...lifetime }, seed, nonceAccount: nonce },
    }),
  }
}
