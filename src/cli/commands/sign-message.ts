/**
 * `coffer sign-message <chain> <message>`: an EIP-191 personal-message signature by an
 * account of the wallet (journaled like every signature).
 * @module
 * @internal
 */
import type { Command } from 'commander'
import { requireChain } from '../chains.js'
import type { Action } from './action.js'
import { parseIndex } from './address.js'

export function register(program: Command, action: Action): void {
  program
    .command('sign-message')
    .description('sign a message with an account key (EIP-191 on EVM chains)')
    .argument('<chain>', 'a configured chain name or CAIP-2 id')
    .argument('<message>', 'the text to sign')
    .option('--index <n>', 'sign with account n', '0')
    .action(
      action(async (ctx, [chainArg, message], opts: { index: string }) => {
        const chain = requireChain(ctx.config, chainArg as string)
        const index = parseIndex(opts.index)
        const wallet = await ctx.unlockedWallet()
        try {
          const account = await wallet.account(chain.chainId, { index })
          const { signature, digest } = (await wallet.signMessage({
            from: { chainId: chain.chainId, address: account.address },
            message: message as string,
            chainId: chain.chainId,
          })) as { signature: string; digest?: string }
          ctx.out.result({ chainId: chain.chainId, address: account.address, message, signature, ...(digest ? { digest } : {}) }, () =>
            ctx.out.print(signature),
          )
        } finally {
          wallet.lock()
        }
      }),
    )
}
