/**
 * `wallet.signMessage` and `wallet.signTypedData`: the confirmation hooks, the spending policy for
 * typed data that moves tokens (permits, authorizations, Permit2 — counted like transfers to the
 * spender), the adapter's signature, and a journal entry per signature or token movement.
 * @module
 * @internal
 */
import type { AssetId } from '../core/caip.js'
import type { ChainAdapter, MessageSignature } from '../chains/adapter.js'
import { NotSupportedError, PolicyViolationError } from '../core/errors.js'
import type { AccountSigner, Signer } from '../keys/signer.js'
import type { Reservation, SignSummary } from '../policy/policy.js'
import type { PaymentContext } from './send.js'
import type { SendOptions } from './wallet.js'

/** What to sign: a message (`wallet.signMessage`) or typed data (`wallet.signTypedData`). */
export type SignRequest =
  { readonly kind: 'message'; readonly message: string | Uint8Array } | { readonly kind: 'typed-data'; readonly typedData: unknown }

/**
 * Refuses, before any hook or key is touched, a request the adapter says it cannot sign.
 * @throws NotSupportedError
 */
function assertCanSign(adapter: ChainAdapter, kind: SignRequest['kind']): void {
  const able = kind === 'message' ? adapter.capabilities.signMessage : adapter.capabilities.signTypedData
  if (able) return
  const what =
    kind === 'message' ? 'sign messages (capabilities.signMessage is false)' : 'sign typed data (capabilities.signTypedData is false)'
  throw new NotSupportedError(`The ${adapter.chainId} adapter cannot ${what}; sign with an account on a chain whose adapter can.`, {
    details: { chainId: adapter.chainId, kind },
  })
}

/** The adapter's signature of `request` by `signer`. */
function adapterSign(adapter: ChainAdapter, signer: Signer | AccountSigner, request: SignRequest): Promise<MessageSignature> {
  return request.kind === 'message' ? adapter.signMessage(signer, request.message) : adapter.signTypedData(signer, request.typedData)
}

/** Signs `request` with the account's key through the adapter, after the policy; journaled. */
export async function signWith(
  ctx: PaymentContext,
  adapter: ChainAdapter,
  from: string,
  request: SignRequest,
  text: string,
  options: SendOptions,
): Promise<MessageSignature> {
  const { kind } = request
  assertCanSign(adapter, kind)
  const summary: SignSummary = {
    kind,
    chainId: adapter.chainId,
    from,
    message: text.slice(0, 2_000),
    ...(adapter.testnet ? { testnet: true } : {}),
  }
  const base = { chainId: adapter.chainId, from, note: text.slice(0, 200) }
  await ctx.journal.verifyOrThrow()
  // Typed data that moves tokens (permits, authorizations, Permit2) is checked like a transfer.
  const spends =
    request.kind === 'typed-data' && typeof adapter.typedDataSpends === 'function' ? await adapter.typedDataSpends(request.typedData) : []
  const spendSummaries = spends.map((sp): SignSummary => ({
    ...summary,
    to: sp.to,
    asset: sp.asset.id,
    symbol: sp.asset.symbol,
    decimals: sp.asset.decimals,
    ...(sp.asset.family ? { family: sp.asset.family } : {}),
    amount: sp.amount,
    spend: { kind: sp.kind, standard: sp.standard, unlimited: sp.unlimited, ...(sp.expiresAt ? { expiresAt: sp.expiresAt } : {}) },
  }))
  let reservation: Reservation | undefined
  try {
    if (spendSummaries.length) reservation = await ctx.policy.authorizeSpends(spendSummaries, summary, options.confirm)
    else await ctx.policy.confirmSignature(summary, options.confirm)
  } catch (error) {
    if (error instanceof PolicyViolationError) {
      const first = spendSummaries[0]
      const what = first ? { to: first.to as string, asset: first.asset as AssetId, amount: (first.amount as bigint).toString() } : {}
      await ctx.record(
        'refused',
        {
          kind: 'refused',
          ...base,
          ...what,
          decision: { allowed: false, rule: String(error.details.rule ?? 'policy'), reason: error.shortMessage.slice(0, 300) },
        },
        error,
      )
    }
    throw error
  }
  let signature: MessageSignature
  try {
    signature = await adapterSign(adapter, await ctx.signer(), request)
  } catch (error) {
    await reservation?.release()
    throw error
  }
  const hash = signature.digest ? { hash: signature.digest } : {}
  if (spends.length === 0) await ctx.record(undefined, { kind, ...base, ...hash, decision: { allowed: true } })
  for (const [i, sp] of spends.entries()) {
    const note = `${text.slice(0, 120)}: ${sp.standard} ${sp.kind}${sp.unlimited ? ' (unlimited)' : ''}${spends.length > 1 ? ` ${i + 1}/${spends.length}` : ''}`
    await ctx.record(undefined, {
      kind,
      ...base,
      to: sp.to,
      asset: sp.asset.id,
      amount: sp.amount.toString(),
      ...hash,
      note,
      decision: { allowed: true },
    })
  }
  return signature
}
