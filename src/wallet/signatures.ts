/**
 * `wallet.signMessage` and `wallet.signTypedData`: the confirmation hooks, the spending policy for
 * typed data that moves tokens (permits, authorizations, Permit2 — counted like transfers to the
 * spender), the adapter's signature, and a journal entry per signature or token movement.
 * @module
 * @internal
 */
import type { AssetId } from '../core/caip.js'
import type { ChainAdapter } from '../chains/adapter.js'
import { NotSupportedError, PolicyViolationError } from '../core/errors.js'
import type { Reservation, SignSummary } from '../policy/policy.js'
import type { PaymentContext } from './send.js'
import type { SendOptions } from './wallet.js'

/** What the adapter's message / typed-data signature returns. */
export interface SignatureResult {
  readonly signature: string
  readonly digest?: string
}

/** Signs `payload` with the account's key through the adapter's `method`, after the policy. */
export async function signWith(
  ctx: PaymentContext,
  adapter: ChainAdapter,
  from: string,
  kind: 'message' | 'typed-data',
  text: string,
  options: SendOptions,
  method: 'signMessage' | 'signTypedData',
  payload: unknown,
): Promise<SignatureResult> {
  const sign = (adapter as unknown as Record<string, unknown>)[method]
  if (typeof sign !== 'function') throw new NotSupportedError(`The ${adapter.chainId} adapter cannot ${method === 'signMessage' ? 'sign messages' : 'sign typed data'}.`)
  const summary: SignSummary = { kind, chainId: adapter.chainId, from, message: text.slice(0, 2_000), ...(adapter.testnet ? { testnet: true } : {}) }
  const base = { chainId: adapter.chainId, from, note: text.slice(0, 200) }
  await ctx.journal.verifyOrThrow()
  // Typed data that moves tokens (permits, authorizations, Permit2) is checked like a transfer.
  const spends = kind === 'typed-data' && typeof adapter.typedDataSpends === 'function' ? await adapter.typedDataSpends(payload) : []
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
      await ctx.record('refused', { kind: 'refused', ...base, ...what, decision: { allowed: false, rule: String(error.details.rule ?? 'policy'), reason: error.shortMessage.slice(0, 300) } }, error)
    }
    throw error
  }
  let signature: SignatureResult
  try {
    signature = (await (sign as (s: unknown, m: unknown) => Promise<unknown>).call(adapter, await ctx.signer(), payload)) as SignatureResult
  } catch (error) {
    await reservation?.release()
    throw error
  }
  const hash = signature.digest ? { hash: signature.digest } : {}
  if (spends.length === 0) await ctx.record(undefined, { kind, ...base, ...hash, decision: { allowed: true } })
  for (const [i, sp] of spends.entries()) {
    const note = `${text.slice(0, 120)}: ${sp.standard} ${sp.kind}${sp.unlimited ? ' (unlimited)' : ''}${spends.length > 1 ? ` ${i + 1}/${spends.length}` : ''}`
    await ctx.record(undefined, { kind, ...base, to: sp.to, asset: sp.asset.id, amount: sp.amount.toString(), ...hash, note, decision: { allowed: true } })
  }
  return signature
}
