/**
 * `coffer send <chain> <asset> <amount> <to>`: one payment through the shared
 * quote → confirm → send → wait flow.
 * @module
 * @internal
 */
import type { Command } from 'commander'
import { requireChain } from '../chains.js'
import { oneLine, usage } from '../output.js'
import { parseFeeLevel, payFlow } from '../payment.js'
import type { Action } from './action.js'
import { parseIndex } from './address.js'

export function register(program: Command, action: Action): void {
  program
    .command('send')
    .description('send an asset: quote, confirm, sign, broadcast, wait for a confirmation')
    .argument('<chain>', 'a configured chain name or CAIP-2 id')
    .argument('<asset>', 'a symbol on that chain (USDT, ETH) or a CAIP-19 asset id')
    .argument('<amount>', 'in whole units ("12.5"), or "max"')
    .argument('<to>', 'the recipient address')
    .option('--fee <level>', 'fee level: slow, normal or fast', 'normal')
    .option('--index <n>', 'pay from account n', '0')
    .option('--no-wait', 'do not wait for the confirmation')
    .action(
      action(async (ctx, [chainArg, asset, amount, to], opts: { fee: string; index: string; wait: boolean }) => {
        const chain = requireChain(ctx.config, chainArg as string)
        const feeLevel = parseFeeLevel(opts.fee)
        const index = parseIndex(opts.index)
        if (!/^(\d+(\.\d+)?|max)$/.test(amount as string))
          throw usage(`<amount> must be a decimal number in whole units ("12.5") or "max", got "${oneLine(String(amount)).slice(0, 40)}".`)
        await payFlow(
          ctx,
          async (wallet) => {
            const account = await wallet.account(chain.chainId, { index })
            return {
              from: { chainId: chain.chainId, address: account.address },
              chainId: chain.chainId,
              asset: asset as string,
              amount: amount as string,
              to: to as string,
              ...(feeLevel ? { feeLevel } : {}),
            }
          },
          { wait: opts.wait },
        )
      }),
    )
}
