/**
 * `coffer pay <uri>`: pays a payment request (EIP-681 `ethereum:`, BIP-21 `bitcoin:`, Solana Pay
 * `solana:`) through the shared quote → confirm → send → wait flow. The request's label and
 * message are shown as untrusted text; a Solana Pay memo and references go into the transaction.
 * Solana Pay URIs name no cluster: `--chain <caip-2>` reads one as devnet or a local cluster.
 * @module
 * @internal
 */
import type { Command } from 'commander'
import { findChainFamily } from '../../chains/family.js'
import type { ChainId } from '../../core/caip.js'
import { InvalidArgumentError, InvalidPaymentUriError } from '../../core/errors.js'
import { parsePaymentUri, type PaymentRequest } from '../../payments/uri.js'
import { requireChain } from '../chains.js'
import { cleanText, oneLine, usage } from '../output.js'
import { parseFeeLevel, payFlow } from '../payment.js'
import type { Action } from './action.js'

export function register(program: Command, action: Action): void {
  program
    .command('pay')
    .description('pay a payment request URI (EIP-681 ethereum:, BIP-21 bitcoin:, Solana Pay solana:)')
    .argument('<uri>', 'the payment request')
    .option('--amount <decimal>', 'the amount in whole units, when the request names none')
    .option('--fee <level>', 'fee level: slow, normal or fast', 'normal')
    .option('--chain <caip-2>', 'the Solana cluster a solana: URI is meant for (Solana Pay URIs name none; default mainnet-beta)')
    .option('--no-wait', 'do not wait for the confirmation')
    .action(
      action(async (ctx, [uri], opts: { amount?: string; fee: string; wait: boolean; chain?: string }) => {
        const chainId = opts.chain as ChainId | undefined
        if (chainId !== undefined && !findChainFamily(chainId)?.supports(chainId))
          throw usage(
            `--chain takes a CAIP-2 id (solana:<genesis hash prefix> for a Solana Pay URI), got "${oneLine(chainId).slice(0, 60)}".`,
          )
        let request: PaymentRequest
        try {
          request = parsePaymentUri(uri as string, chainId === undefined ? {} : { solanaChainId: chainId })
        } catch (error) {
          // Only the option can be wrong this way (a URI's own faults are InvalidPaymentUriError).
          if (chainId !== undefined && error instanceof InvalidArgumentError && !(error instanceof InvalidPaymentUriError))
            throw usage(
              `--chain ${chainId} cannot be the network of this URI (a Solana Pay URI takes a Solana cluster, solana:<genesis hash prefix>).`,
            )
          throw error
        }
        if (chainId !== undefined && request.chainId !== chainId)
          throw usage(
            `--chain is for URIs that name no network (Solana Pay); this ${request.scheme}: URI names its own chain, ${request.chainId}.`,
          )
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
          async () => ({
            to: request.to,
            asset: request.asset,
            amount,
            chainId: chain.chainId,
            ...(feeLevel ? { feeLevel } : {}),
            ...(request.memo === undefined ? {} : { memo: request.memo }),
            ...(request.references === undefined ? {} : { references: request.references }),
          }),
          { wait: opts.wait, extra: { uri: { scheme: request.scheme, ...(label ? { label } : {}), ...(message ? { message } : {}) } } },
        )
      }),
    )
}
