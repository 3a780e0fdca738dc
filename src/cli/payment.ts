/**
 * The payment flow `send` and `pay` share: quote → show → confirm (the policy's rules run
 * first, so nothing refused is ever asked) → sign and broadcast → wait for one confirmation
 * under a spinner → hash and status.
 * @module
 * @internal
 */
import { formatAmount } from '../core/amount.js'
import type { FeeLevel, TransactionStatus } from '../chains/adapter.js'
import { FEE_LEVELS } from '../chains/adapter.js'
import { BroadcastUnknownError, PolicyViolationError } from '../core/errors.js'
import type { QuoteRequest } from '../wallet/requests.js'
import type { Wallet } from '../wallet/wallet.js'
import type { Context } from './context.js'
import { amountText, quoteJson, quoteLines } from './format.js'
import { cancelled, CliError, EXIT, errorLine, exitCodeOf, usage } from './output.js'
import { askConfirm } from './prompt.js'

/** Parses `--fee`. */
export function parseFeeLevel(value: string | undefined): FeeLevel | undefined {
  if (value === undefined) return undefined
  if (!(FEE_LEVELS as readonly string[]).includes(value)) throw usage(`--fee must be one of ${FEE_LEVELS.join(', ')}.`)
  return value as FeeLevel
}

function statusJson(s: TransactionStatus): Record<string, unknown> {
  return {
    state: s.state,
    confirmations: s.confirmations,
    ...(s.blockHeight === undefined ? {} : { blockHeight: s.blockHeight }),
    ...(s.blockHash ? { blockHash: s.blockHash } : {}),
    ...(s.fee ? { fee: s.fee } : {}),
  }
}

/**
 * Quotes the request `build` makes (with the unlocked wallet), asks, sends, waits.
 * `extra` goes into the JSON result (a payment request's label and message).
 */
export async function payFlow(
  ctx: Context,
  build: (wallet: Wallet) => Promise<QuoteRequest>,
  options: { wait: boolean; extra?: Record<string, unknown> },
): Promise<void> {
  const wallet = await ctx.unlockedWallet()
  try {
    const quote = await wallet.quote(await build(wallet))
    for (const line of quoteLines(ctx.config, quote)) ctx.out.print(line)
    let declined = false
    const confirm = async () => {
      if (ctx.yes) return true
      const ok = await askConfirm(`Send ${amountText(quote.amount, quote.decimals, quote.symbol)} to ${quote.to}?`)
      declined = !ok
      return ok
    }
    let hash: string
    try {
      hash = await wallet.send(quote, { confirm })
    } catch (error) {
      if (
        error instanceof PolicyViolationError &&
        error.details.rule === 'confirm' &&
        (declined || exitCodeOf(error.cause) === EXIT.CANCELLED)
      ) {
        throw cancelled('Cancelled: nothing was sent.')
      }
      if (error instanceof BroadcastUnknownError) {
        // Maybe sent: the hash is what the user needs, on stdout (and in --json), never a retry.
        const maybe = error.transaction.hash
        const line = errorLine(error)
        ctx.out.result(
          {
            ...options.extra,
            ...quoteJson(quote),
            hash: maybe,
            state: 'unknown',
            error: { code: error.code, message: line, exitCode: EXIT.MAYBE_SENT },
          },
          () => ctx.out.print(`Maybe sent: ${maybe}`),
        )
        ctx.out.note(
          `It may be on its way: look ${maybe} up later ("coffer history", or your explorer). The wallet keeps it counted against its limits; do not pay again.`,
        )
        throw new CliError(EXIT.MAYBE_SENT, line, { code: error.code, cause: error, reported: true })
      }
      throw error
    }
    ctx.out.print(`Sent: ${hash}`)
    let status: TransactionStatus | undefined
    if (options.wait) {
      const spinner = ctx.out.spinner('Waiting for 1 confirmation…')
      try {
        status = await (await ctx.adapter(quote.chainId)).waitForTransaction(hash, { confirmations: 1 })
        spinner.stop()
      } catch (error) {
        spinner.fail('Not confirmed yet.')
        const code = exitCodeOf(error)
        throw new CliError(
          code === EXIT.FAILURE ? EXIT.NETWORK : code,
          `Sent ${hash}, but waiting for its confirmation failed: ${errorLine(error)}`,
          { cause: error },
        )
      }
    }
    ctx.out.result({ ...options.extra, ...quoteJson(quote), hash, ...(status ? { status: statusJson(status) } : {}) }, () => {
      if (!status) return ctx.out.print('Status: sent (not waiting for confirmation)')
      const fee = status.fee
        ? ` (fee ${status.fee.asset === quote.fee.asset ? amountText(status.fee.amount, quote.feeDecimals, quote.feeSymbol) : `${formatAmount(status.fee.amount, 0)} base units`})`
        : ''
      ctx.out.print(`Status: ${status.state}${status.blockHeight === undefined ? '' : ` in block ${status.blockHeight}`}${fee}`)
    })
    if (status?.state === 'failed')
      throw new CliError(EXIT.FAILURE, `Transaction ${hash} failed on chain (reverted); its fee was spent.`, { reported: true })
  } finally {
    wallet.lock()
  }
}
