/**
 * Signing and sending a stablecoin-gas quote (stablecoin-gas.ts): the operation is rebuilt from
 * the quote's checked fields (recipient, amount, token, fee cap = approval), the service signs
 * its paymaster data, the account signs its EIP-7702 authorization (first operation only, after
 * the delegate check) and the operation (EIP-712, v0.8), the caller's `onSigned` records the
 * operation's hash, and the bundler gets it.
 *
 * Money-safety, as for transactions: the same signed operation is re-sent after a lost answer
 * (the EntryPoint's nonce makes it land at most once, whoever submits it); only a bundler's
 * explicit refusal of the first answer it gives is "rejected"; once any answer was lost the
 * outcome stays unknown (BroadcastUnknownError) unless the operation is seen included.
 * @module
 * @internal
 */
import { BaseError, type Hex, type PublicClient } from 'viem'
import type { AssetId } from '../../core/caip.js'
import { BroadcastUnknownError, DataIntegrityError, InvalidArgumentError, TransactionRejectedError } from '../../core/errors.js'
import type { Signer } from '../../keys/signer.js'
import type { SignedTransaction, TransferQuote } from '../adapter.js'
import { Records } from '../broadcast-records.js'
import type { KeyValueStore } from '../../core/store.js'
import { rpcUserOperation } from './bundler.js'
import { rpc } from './client.js'
import { signAuthorization } from './eip7702.js'
import type { EvmChain } from './networks.js'
import { accountState, planOperation, type SponsoredPayment, type SponsoredPlan, type StablecoinGas } from './stablecoin-gas.js'
import type { TokenBook } from './tokens.js'
import { signUserOperation, type UserOperation } from './user-operation.js'
import { checkAddress } from './validate.js'

/** What the adapter keeps about an operation it sent (for its status later). */
export interface OperationRecord {
  /** The userOpHash. */
  readonly hash: `0x${string}`
  readonly sender: `0x${string}`
  /** The EntryPoint nonce (decimal). */
  readonly nonce: string
  readonly entryPoint: `0x${string}`
  readonly asset: AssetId
  readonly token: `0x${string}`
  /** Base units of the payments (decimal), to tell them from the fee in the receipt. */
  readonly paid: string
  /** The block before the send: where a search for its event starts. */
  readonly fromBlock: number
  readonly sentAt: number
}

/** The adapter's records of operations, under `evm-<chainId>-operations`. */
export function operationRecords(chainId: number, storage?: KeyValueStore): Records<OperationRecord> {
  return new Records<OperationRecord>(`evm-${chainId}-operations`, storage)
}

/** What sending needs from the adapter. */
export interface SponsoredSendContext {
  readonly chain: EvmChain
  readonly client: PublicClient
  readonly tokens: TokenBook
  readonly gas: StablecoinGas
  readonly operations: Records<OperationRecord>
  readonly retry: { readonly attempts: number; readonly delayMs: number }
}

/** Whether a quote is a stablecoin-gas quote. */
export function isSponsoredQuote(quote: TransferQuote): boolean {
  return quote.details?.gasPaidIn === 'stablecoin'
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The plan the quote stands for, checked against the quote's own fields (what a policy saw). @throws InvalidArgumentError */
async function quotePlan(ctx: SponsoredSendContext, quote: TransferQuote): Promise<SponsoredPlan> {
  const d = quote.details
  const asset = await ctx.tokens.get(quote.asset)
  if (asset.kind !== 'token' || !asset.address || String(d.token).toLowerCase() !== asset.address.toLowerCase())
    throw new InvalidArgumentError('This stablecoin-gas quote names another token than its asset.')
  if (quote.fee.asset !== quote.asset) throw new InvalidArgumentError('A stablecoin-gas quote takes its fee in the token it pays.')
  // What the policy saw: the quote's payments (or its one recipient and amount), never details.
  const listed = quote.payments ?? [{ to: quote.to, amount: quote.amount }]
  if (!Array.isArray(listed) || listed.length === 0) throw new InvalidArgumentError('A quote pays at least one recipient.')
  const payments: SponsoredPayment[] = listed.map((p, i) => {
    if (!p || typeof p.amount !== 'bigint' || p.amount <= 0n) throw new InvalidArgumentError(`quote.payments[${i}] is not a payment.`)
    return { to: checkAddress(p.to, `quote.payments[${i}].to`), amount: p.amount }
  })
  const total = payments.reduce((s, p) => s + p.amount, 0n)
  if (total !== quote.amount || payments[0]!.to.toLowerCase() !== String(quote.to).toLowerCase())
    throw new InvalidArgumentError('The quote’s payments do not add up to its recipient and amount.')
  return {
    token: asset.address,
    payments,
    paymaster: checkAddress(d.paymaster, 'details.paymaster'),
    // The fee cap the policy saw is the approval: the paymaster can take no more.
    approval: quote.fee.amount,
    resetApproval: d.resetApproval === true,
  }
}

/** The JSON-RPC error a bundler answered, if the failure carries one. */
function bundlerError(error: unknown): { code: number; message: string } | undefined {
  let e: unknown = error
  for (let depth = 0; e && depth < 8; depth++) {
    if (e instanceof BaseError && e.name === 'RpcRequestError') {
      const code = (e as unknown as { code?: unknown }).code
      return { code: typeof code === 'number' ? code : 0, message: (e.details ?? e.shortMessage).slice(0, 300) }
    }
    e = (e as { cause?: unknown }).cause
  }
  return undefined
}

/** Bundler answers that mean "I already have it" (a re-send after a lost answer). */
const ALREADY_KNOWN = /already (known|in (the )?mempool|exists|been submitted)|duplicate/i

/**
 * Signs and sends a stablecoin-gas quote. Returns the userOpHash.
 * @throws InvalidArgumentError, UnknownDelegateError, NotSupportedError, DataIntegrityError,
 *   TransactionRejectedError (the bundler refused: nothing sent), BroadcastUnknownError (maybe sent),
 *   RpcError, and what `onSigned` or the signer throw
 */
export async function sendSponsored(
  ctx: SponsoredSendContext,
  quote: TransferQuote,
  signer: Signer,
  onSigned?: (signed: SignedTransaction) => Promise<void> | void,
): Promise<string> {
  const plan = await quotePlan(ctx, quote)
  const from = checkAddress(quote.from, 'quote.from')
  const { gas, client, chain } = ctx
  const [state, service] = await Promise.all([
    accountState(client, gas, from),
    gas.paymaster.tokenQuote(plan.token, gas.entryPoint, chain.id),
  ])
  // The spender of the approval comes from the service (and the pin), not from the quote's details.
  if (service.paymaster.toLowerCase() !== plan.paymaster.toLowerCase())
    throw new InvalidArgumentError(
      `This quote approves paymaster ${plan.paymaster}, but the service's paymaster is ${service.paymaster}; quote again. Nothing was signed.`,
    )
  const d: Record<string, unknown> = { ...quote.details, entryPointNonce: state.entryPointNonce.toString() }
  let op: UserOperation = planOperation(from, plan, d, '0x')
  if (!state.delegated) {
    // The bundler sends the authorization in its own transaction: it takes the account's current nonce.
    const nonce = await rpc('Reading the account nonce', () => client.getTransactionCount({ address: from, blockTag: 'pending' }))
    const auth = await signAuthorization(
      signer,
      { chainId: chain.id, address: gas.delegate, nonce },
      gas.allowDelegate ? { allowDelegate: gas.allowDelegate } : undefined,
    )
    op = { ...op, factory: '0x7702', eip7702Auth: auth }
  }
  op = { ...op, paymasterData: await gas.paymaster.data(op, gas.entryPoint, chain.id, service) }
  const signature = await signUserOperation(signer, op, { chainId: chain.id, entryPoint: gas.entryPoint })
  op = { ...op, signature: signature.signature }
  const hash = signature.digest
  const raw = JSON.stringify(rpcUserOperation(op))
  const signed: SignedTransaction = { chainId: chain.caip2, kind: 'evm-user-operation', from, hash, raw }
  await onSigned?.(signed)
  const fromBlock = Number(await rpc('Reading the latest block', () => client.getBlockNumber()))
  await ctx.operations.add({
    hash,
    sender: from,
    nonce: op.nonce.toString(),
    entryPoint: gas.entryPoint,
    asset: quote.asset,
    token: plan.token,
    paid: quote.amount.toString(),
    fromBlock,
    sentAt: Date.now(),
  })
  return submit(ctx, op, signed)
}

/** Sends the signed operation until an answer settles it (see the module's rules). */
async function submit(ctx: SponsoredSendContext, op: UserOperation, signed: SignedTransaction): Promise<string> {
  const hash = signed.hash as Hex
  let lost: string | undefined
  for (let attempt = 0; ; attempt++) {
    try {
      const answer = await ctx.gas.bundler.sendUserOperation(op, ctx.gas.entryPoint)
      if (typeof answer === 'string' && answer.toLowerCase() !== hash.toLowerCase())
        throw new DataIntegrityError(
          `The bundler took operation ${hash} but named it ${answer.slice(0, 66)}; the EntryPoint knows it by ${hash}. Follow it by that hash.`,
        )
      return hash
    } catch (error) {
      if (error instanceof DataIntegrityError) throw new BroadcastUnknownError(error.shortMessage, signed, { cause: error })
      const refusal = bundlerError(error)
      if (refusal && ALREADY_KNOWN.test(refusal.message)) return hash
      if (refusal && lost === undefined && !(refusal.code === -32603 || refusal.code === 0))
        throw new TransactionRejectedError(`The bundler refused the operation: ${refusal.message}`, {
          details: { code: refusal.code, reason: refusal.message },
        })
      lost = refusal?.message ?? (error instanceof Error ? error.message.split('\n')[0]?.slice(0, 200) : String(error))
      if (attempt >= ctx.retry.attempts) break
      await sleep(ctx.retry.delayMs * 2 ** attempt)
    }
  }
  throw new BroadcastUnknownError(
    `The bundler's answer about operation ${hash} was lost (${lost}); it may still be included. Do not pay again: wallet.reconcile() or getTransaction('${hash}') settles it.`,
    signed,
  )
}
