/**
 * `coffer pay <uri>`: pays a payment request (EIP-681 `ethereum:`, BIP-21 `bitcoin:`) through
 * the shared quote → confirm → send → wait flow. The request's label and message are shown as
 * untrusted text.
 * @module
 * @internal
 */
import type { Command } from 'commander'
import { parsePaymentUri } from '../../payments/uri.js'
import { requireChain } from '../chains.js'
import { cleanText, oneLine, usage } from '../output.js'
import { parseFeeLevel, payFlow } from '../payment.js'
import type { Action } from './action.js'

export function register(program: Command, action: Action): void {
  program
    .command('pay')
    .description('pay a payment request URI (EIP-681 ethereum:, BIP-21 bitcoin:)')
    .argument('<uri>', 'the payment request')
    .option('--amount <decimal>', 'the amount in whole units, when the request names none')
    .option('--fee <level>', 'fee level: slow, normal or fast', 'normal')
    .option('--no-wait', 'do not wait for the confirmation')
    .action(
      action(async (ctx, [uri], opts: { amount?: string; fee: string; wait: boolean }) => {
        const request = parsePaymentUri(uri as string)
        const chain = requireChain(ctx.config, request.chainId)
        const feeLevel = parseFeeLevel(opts.fee)
        if (request.amount !== undefined && opts.amount !== undefined)
          throw usage('The request names its amount; --amount cannot change it.')
        if (opts.amount !== undefined && !/^\d+(\.\d+)?$/.test(opts.amount))
          throw usage('--amount must be a decimal number in whole units.')
        const amount = request.amount ?? opts.amount
        if (amount === undefined) throw usage('The request names no amount; pass --amount <decimal>.')
        const label = request.label === undefined ? undefined : oneLine(request.label).slice(0, 200)
        const message = request.message === undefined ? undefined : oneLine(cleanText(request.message)).slice(0, 500)
        if (label) ctx.out.print(`Request from: ${label} (as the link says; unverified)`)
        if (message) ctx.out.print(`Message: ${message}`)
        await payFlow(
          ctx,
          async () => ({ to: request.to, asset: request.asset, amount, chainId: chain.chainId, ...(feeLevel ? { feeLevel } : {}) }),
          { wait: opts.wait, extra: { uri: { scheme: request.scheme, ...(label ? { label } : {}), ...(message ? { message } : {}) } } },
        )
      }),
    )
}
