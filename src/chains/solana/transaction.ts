/**
 * Building a Solana transfer as an unsigned v0 message with @solana/kit: fee payer `from`,
 * a lifetime (a recent blockhash, or a durable nonce with `AdvanceNonceAccount` first), then
 * `SetComputeUnitLimit`, `SetComputeUnitPrice`, the Solana Pay memo (before the transfer, as
 * Solana Pay specifies), the recipient's associated token account when it does not exist yet
 * (`CreateIdempotent`, paid by `from`), and the transfer — System `Transfer`, Token
 * `TransferChecked`, or Token-2022 `TransferCheckedWithFee` for mints with a transfer fee — with
 * the Solana Pay reference keys appended as read-only accounts.
 *
 * The result is plain JSON ({@link UnsignedTransaction}, kind `solana-v0`): the message bytes
 * (base64), the lifetime, and what an offline signer checks them against (see signing.ts, whose
 * {@link signSolanaTransaction} is re-exported here).
 * @module
 * @internal
 */
import {
  AccountRole,
  address,
  appendTransactionMessageInstructions,
  compileTransaction,
  createNoopSigner,
  createTransactionMessage,
  setTransactionMessageFeePayer,
  setTransactionMessageLifetimeUsingBlockhash,
  setTransactionMessageLifetimeUsingDurableNonce,
  type Blockhash,
  type Instruction,
  type Nonce,
} from '@solana/kit'
import { getSetComputeUnitLimitInstruction, getSetComputeUnitPriceInstruction } from '@solana-program/compute-budget'
import { getAddMemoInstruction } from '@solana-program/memo'
import { getTransferSolInstruction } from '@solana-program/system'
import { getCreateAssociatedTokenIdempotentInstruction, getTransferCheckedInstruction } from '@solana-program/token'
import { base64 } from '@scure/base'
import { InvalidArgumentError } from '../../core/errors.js'
import type { Json, TransferQuote, UnsignedTransaction } from '../adapter.js'
import type { SolanaCall, SolanaLifetime } from './context.js'
import { SOL_DECIMALS } from './networks.js'
import { readNonceAccount } from './nonce.js'
import { MEMO_PROGRAM, SYSTEM_PROGRAM, TOKEN_2022_PROGRAM } from './programs.js'
import { intOf, keyOf, objectOf, u64Decimal, withContext } from './shapes.js'

export { signSolanaTransaction } from './signing.js'

/** The transfer a quote describes: everything the message is built from (quote.details, checked). */
export interface TransferPlan {
  readonly from: string
  readonly to: string
  /** Amount that arrives (base units). */
  readonly amount: bigint
  /** System program for SOL, else the token program's address. */
  readonly program: string
  readonly mint?: string
  readonly decimals: number
  readonly sourceAccount: string
  readonly destinationAccount: string
  readonly createsRecipientAccount: boolean
  readonly accountRent: bigint
  /** Token-2022 transfer fee withheld from `grossAmount`; 0 otherwise. */
  readonly transferFee: bigint
  /** What leaves the sender: `amount + transferFee`. */
  readonly grossAmount: bigint
  /** True when the mint has a TransferFeeConfig (then TransferCheckedWithFee is used). */
  readonly withFee: boolean
  readonly computeUnitLimit: number
  readonly computeUnitPrice: bigint
  readonly memo?: string
  readonly references: readonly string[]
}

/** TransferCheckedWithFee of Token-2022's transfer-fee extension: [26, 1, amount u64, decimals u8, fee u64]. */
function transferCheckedWithFee(plan: TransferPlan): Instruction {
  const data = new Uint8Array(19)
  const view = new DataView(data.buffer)
  data[0] = 26
  data[1] = 1
  view.setBigUint64(2, plan.grossAmount, true)
  data[10] = plan.decimals
  view.setBigUint64(11, plan.transferFee, true)
  return {
    programAddress: address(TOKEN_2022_PROGRAM),
    accounts: [
      { address: address(plan.sourceAccount), role: AccountRole.WRITABLE },
      { address: address(plan.mint!), role: AccountRole.READONLY },
      { address: address(plan.destinationAccount), role: AccountRole.WRITABLE },
      { address: address(plan.from), role: AccountRole.READONLY_SIGNER },
    ],
    data,
  }
}

/** The instructions of a transfer (without the nonce advance, which kit prepends). */
export function transferInstructions(plan: TransferPlan): Instruction[] {
  const payer = createNoopSigner(address(plan.from))
  const out: Instruction[] = [
    getSetComputeUnitLimitInstruction({ units: plan.computeUnitLimit }),
    getSetComputeUnitPriceInstruction({ microLamports: plan.computeUnitPrice }),
  ]
  if (plan.memo !== undefined) out.push(getAddMemoInstruction({ memo: plan.memo }, { programAddress: address(MEMO_PROGRAM) }))
  let transfer: Instruction
  if (plan.program === SYSTEM_PROGRAM) {
    transfer = getTransferSolInstruction({ source: payer, destination: address(plan.to), amount: plan.amount })
  } else {
    if (plan.createsRecipientAccount) {
      out.push(
        getCreateAssociatedTokenIdempotentInstruction({
          payer,
          ata: address(plan.destinationAccount),
          owner: address(plan.to),
          mint: address(plan.mint!),
          tokenProgram: address(plan.program),
        }),
      )
    }
    transfer = plan.withFee
      ? transferCheckedWithFee(plan)
      : getTransferCheckedInstruction(
          {
            source: address(plan.sourceAccount),
            mint: address(plan.mint!),
            destination: address(plan.destinationAccount),
            authority: payer,
            amount: plan.grossAmount,
            decimals: plan.decimals,
          },
          { programAddress: address(plan.program) },
        )
  }
  const references = plan.references.map((r) => ({ address: address(r), role: AccountRole.READONLY }))
  out.push({ ...transfer, accounts: [...(transfer.accounts ?? []), ...references] })
  return out
}

/** Compiles v0 message bytes for `instructions` paid by `from` under `lifetime` (nonce authority: `nonceAuthority`, default `from`). */
export function compileMessage(
  from: string,
  instructions: readonly Instruction[],
  lifetime: SolanaLifetime,
  nonceAuthority = from,
): Uint8Array {
  const base = setTransactionMessageFeePayer(address(from), createTransactionMessage({ version: 0 }))
  const timed =
    lifetime.kind === 'blockhash'
      ? setTransactionMessageLifetimeUsingBlockhash(
          { blockhash: lifetime.blockhash as Blockhash, lastValidBlockHeight: BigInt(lifetime.lastValidBlockHeight) },
          base,
        )
      : setTransactionMessageLifetimeUsingDurableNonce(
          {
            nonce: lifetime.nonce as Nonce,
            nonceAccountAddress: address(lifetime.nonceAccount),
            nonceAuthorityAddress: address(nonceAuthority),
          },
          base,
        )
  const message = appendTransactionMessageInstructions(instructions, timed)
  return new Uint8Array(compileTransaction(message).messageBytes)
}

/** A recent blockhash lifetime from the node (`getLatestBlockhash` at the call's commitment). @throws RpcError */
export async function latestBlockhash(call: SolanaCall): Promise<SolanaLifetime> {
  const method = 'getLatestBlockhash'
  const answer = await call.rpc.call<unknown>(method, [{ commitment: call.commitment }], { signal: call.signal })
  const value = objectOf(withContext(answer, method).value, method, 'value')
  return {
    kind: 'blockhash',
    blockhash: keyOf(value.blockhash, method, 'blockhash'),
    lastValidBlockHeight: intOf(value.lastValidBlockHeight, method, 'lastValidBlockHeight'),
  }
}

const text = (v: Json | undefined, what: string): string => {
  if (typeof v !== 'string') throw new InvalidArgumentError(`Not a quote from a Solana adapter: details.${what} is missing.`)
  return v
}
const units = (v: Json | undefined, what: string): bigint => {
  const n = u64Decimal(v)
  if (n === undefined) throw new InvalidArgumentError(`Not a quote from a Solana adapter: details.${what} is not a u64 decimal string.`)
  return n
}

/** The transfer plan in a quote's details. @throws InvalidArgumentError */
export function planOf(quote: TransferQuote): TransferPlan {
  const d = quote.details
  const limit = d.computeUnitLimit
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 1_400_000)
    throw new InvalidArgumentError('Not a quote from a Solana adapter: details.computeUnitLimit is not 1 to 1,400,000.')
  const decimals = d.decimals
  if (typeof decimals !== 'number' || !Number.isInteger(decimals) || decimals < 0 || decimals > 255)
    throw new InvalidArgumentError('Not a quote from a Solana adapter: details.decimals is missing.')
  const refs = d.references
  if (!Array.isArray(refs) || !refs.every((r) => typeof r === 'string'))
    throw new InvalidArgumentError('Not a quote from a Solana adapter: details.references is not a list.')
  if (d.memo !== null && d.memo !== undefined && typeof d.memo !== 'string')
    throw new InvalidArgumentError('details.memo must be a string.')
  const plan: TransferPlan = {
    from: quote.from,
    to: quote.to,
    amount: quote.amount,
    program: text(d.program, 'program'),
    ...(typeof d.mint === 'string' ? { mint: d.mint } : {}),
    decimals,
    sourceAccount: text(d.sourceAccount, 'sourceAccount'),
    destinationAccount: text(d.destinationAccount, 'destinationAccount'),
    createsRecipientAccount: d.createsRecipientAccount === true,
    accountRent: units(d.accountRent, 'accountRent'),
    transferFee: units(d.transferFee, 'transferFee'),
    grossAmount: units(d.grossAmount, 'grossAmount'),
    withFee: d.withTransferFee === true,
    computeUnitLimit: limit,
    computeUnitPrice: units(d.computeUnitPrice, 'computeUnitPrice'),
    ...(typeof d.memo === 'string' ? { memo: d.memo } : {}),
    references: refs as string[],
  }
  if (plan.program !== SYSTEM_PROGRAM && plan.mint === undefined)
    throw new InvalidArgumentError('Not a quote from a Solana adapter: details.mint is missing.')
  if (plan.grossAmount !== plan.amount + plan.transferFee)
    throw new InvalidArgumentError('The quote does not add up: grossAmount must be amount + transferFee.')
  return plan
}

/** Options of {@link buildSolanaTransfer}. */
export interface SolanaBuildTransferOptions {
  /** Build on a durable nonce (see nonce.ts) instead of a recent blockhash; its authority must be `from` (the only signer). */
  readonly durableNonce?: { readonly account: string; readonly authority?: string }
}

/**
 * The quote as an unsigned `solana-v0` transaction (one `getLatestBlockhash`, or one
 * `getAccountInfo` of the nonce account).
 * @throws InvalidArgumentError (a malformed quote; a nonce account that is not initialized or whose authority is not `from`); RpcError
 */
export async function buildSolanaTransfer(
  call: SolanaCall,
  quote: TransferQuote,
  options: SolanaBuildTransferOptions,
): Promise<UnsignedTransaction> {
  const plan = planOf(quote)
  if (quote.fee.asset !== call.nativeAsset) throw new InvalidArgumentError('The quote fee is not in SOL.')
  let lifetime: SolanaLifetime
  if (options.durableNonce) {
    const authority = options.durableNonce.authority ?? plan.from
    if (authority !== plan.from)
      throw new InvalidArgumentError(
        'The durable nonce authority must be the sender: coffer transactions carry one signature, the sender’s.',
      )
    const nonce = await readNonceAccount(call, options.durableNonce.account)
    if (nonce.authority !== plan.from)
      throw new InvalidArgumentError(
        `The nonce account ${nonce.address} is controlled by ${nonce.authority}, not the sender ${plan.from}.`,
        {
          details: { nonceAccount: nonce.address },
        },
      )
    lifetime = { kind: 'nonce', nonceAccount: nonce.address, nonce: nonce.nonce }
  } else {
    lifetime = await latestBlockhash(call)
  }
  const message = compileMessage(plan.from, transferInstructions(plan), lifetime)
  const token = plan.program === SYSTEM_PROGRAM ? undefined : call.tokens.find((t) => t.asset === quote.asset)
  const native = quote.asset === call.nativeAsset
  return Object.freeze({
    chainId: call.chainId,
    kind: 'solana-v0',
    from: plan.from,
    summary: {
      to: plan.to,
      asset: quote.asset,
      amount: plan.amount.toString(),
      fee: quote.fee.amount.toString(),
      ...(native ? { symbol: 'SOL', decimals: SOL_DECIMALS } : token ? { symbol: token.symbol, decimals: token.decimals } : {}),
    },
    payload: {
      message: base64.encode(message),
      lifetime: { ...lifetime },
      program: plan.program,
      ...(plan.mint === undefined ? {} : { mint: plan.mint }),
      decimals: plan.decimals,
      createsRecipientAccount: plan.createsRecipientAccount,
      accountRent: plan.accountRent.toString(),
      transferFee: plan.transferFee.toString(),
      grossAmount: plan.grossAmount.toString(),
      memo: plan.memo ?? null,
      references: [...plan.references],
    },
  })
}
