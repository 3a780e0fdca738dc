/**
 * `coffer pay <uri>`: pays a payment request (EIP-681 `ethereum:`, BIP-21 `bitcoin:`, Solana Pay
 * `solana:`, `tron:`) through the shared quote → confirm → send → wait flow. The request's label
 * and message are shown as untrusted text; a Solana Pay memo and references go into the
 * transaction. Solana Pay and `tron:` URIs name no network: `--chain <caip-2>` reads one as a
 * testnet or a local chain (the family's scheme says which parse option takes it: `chainOption`).
 * @module
 * @internal
 */
import type { Command } from 'commander'
import { chainFamilies, findChainFamily } from '../../chains/family.js'
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
    .description('pay a payment request URI (EIP-681 ethereum:, BIP-21 bitcoin:, Solana Pay solana:, tron:)')
    .argument('<uri>', 'the payment request')
    .option('--amount <decimal>', 'the amount in whole units, when the request names none')
    .option('--fee <level>', 'fee level: slow, normal or fast', 'normal')
    .option(
      '--chain <caip-2>',
      'the chain a URI that names no network is meant for (a Solana cluster for solana:, a TRON chain for tron:; default their mainnet)',
    )
    .option('--no-wait', 'do not wait for the confirmation')
    .action(
      action(async (ctx, [uri], opts: { amount?: string; fee: string; wait: boolean; chain?: string }) => {
        const chainId = opts.chain as ChainId | undefined
        const family = chainId === undefined ? undefined : findChainFamily(chainId)
        if (chainId !== undefined && !family?.supports(chainId))
          throw usage(
            `--chain takes a CAIP-2 id (solana:<genesis hash prefix> for a Solana Pay URI, tron:0x<8 hex> for a tron: URI), got "${oneLine(chainId).slice(0, 60)}".`,
          )
        // The schemes whose URIs name no network, and the parse option each reads the chain from.
        const unnamed = chainFamilies().flatMap((f) => (f.paymentSchemes ?? []).filter((s) => s.chainOption !== undefined))
        const parseOptions: { [option: string]: ChainId } = {}
        for (const s of family?.paymentSchemes ?? []) if (s.chainOption !== undefined) parseOptions[s.chainOption] = chainId as ChainId
        const cannotBe = () =>
          usage(
            `--chain ${chainId} cannot be the network of this URI (a ${unnamed.map((s) => `${s.scheme}:`).join(' or ')} URI takes a chain of its own family).`,
          )
        let request: PaymentRequest
        try {
          request = parsePaymentUri(uri as string, parseOptions)
        } catch (error) {
          // Only the option can be wrong this way (a URI's own faults are InvalidPaymentUriError).
          if (chainId !== undefined && error instanceof InvalidArgumentError && !(error instanceof InvalidPaymentUriError)) throw cannotBe()
          throw error
        }
        if (chainId !== undefined) {
          if (!unnamed.some((s) => s.scheme === request.scheme))
            throw usage(
              `--chain is for URIs that name no network (${unnamed.map((s) => `${s.scheme}:`).join(', ')}); this ${request.scheme}: URI names its own chain, ${request.chainId}.`,
            )
          // Read as its family's mainnet: --chain is a chain of another family.
          if (request.chainId !== chainId) throw cannotBe()
        }
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
