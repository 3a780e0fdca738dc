/**
 * `coffer build-tx <chain> <asset> <amount> <to>`: the online half of offline signing. Quotes
 * and builds the transfer through the chain's adapter (the one the wallet uses, from the
 * config) and writes the unsigned transaction — `adapter.buildTransfer`'s JSON, whose summary
 * carries the asset's symbol and decimals — for `coffer sign-tx` on the offline machine, then
 * `coffer broadcast` back online. Nothing is signed. The paying account is `--from` (an
 * address, or a Bitcoin account descriptor: no wallet needed) or the wallet's account
 * `--index` (no password once the wallet knows it). A family may add options of its own and build
 * with them (`cliConfigOf(family).buildTxOptions` / `buildTransfer`: Solana's `--durable-nonce <account>`),
 * and say how long the transaction stays valid (`lifetimeNote`: a Solana blockhash, about a minute).
 *
 * The spending policy is not run here, on purpose: a check at build time binds nothing (the
 * file is signed elsewhere, by a signer that checks it against its summary only), it could
 * only count a payment that may never be signed, and the machine building may hold no wallet
 * at all. The policy applies where the wallet signs: `coffer send` and `coffer pay`. The
 * command says so on stderr each time.
 * @module
 * @internal
 */
import { Option, type Command } from 'commander'
import type { ChainId } from '../../core/caip.js'
import { chainFamilies, chainFamily, type ChainFamily } from '../../chains/family.js'
import { VaultLockedError } from '../../core/errors.js'
import { resolveRequest } from '../../wallet/requests.js'
import type { WalletQuote } from '../../wallet/wallet.js'
import { requireChain } from '../chains.js'
import type { Context } from '../context.js'
import { writeNewFile } from '../files.js'
import { quoteJson, quoteLines } from '../format.js'
import { oneLine, toJson, usage } from '../output.js'
import { parseFeeLevel } from '../payment.js'
import type { Action } from './action.js'
import { parseIndex } from './address.js'
import { cliConfigOf } from '../family-cli.js'

/** What build-tx tells the user about the spending policy, every time. */
export const POLICY_NOTE =
  'Not signed, and not checked against the spending policy: the policy applies when the wallet signs (coffer send, coffer pay); coffer sign-tx checks the transaction against its summary only.'

interface Options {
  from?: string
  index?: string
  fee?: string
  feeLevel?: string
  out?: string
}

/**
 * What the adapter takes as `from` for the wallet's account at `index` on `chainId`: its address,
 * or on Bitcoin its output descriptor. Known accounts need no password; a new one unlocks the
 * wallet once.
 */
async function walletAccount(ctx: Context, chainId: ChainId, index: number): Promise<string> {
  const wallet = await ctx.wallet()
  try {
    const open = () => wallet.account(chainId, { index })
    const account = await open().catch(async (error: unknown) => {
      if (!(error instanceof VaultLockedError)) throw error
      await wallet.unlock(await ctx.password())
      return open()
    })
    return (account as { descriptor?: string }).descriptor ?? account.address
  } finally {
    wallet.lock()
  }
}

/** The options families add to build-tx (`--durable-nonce` for Solana), with the family each belongs to. */
function familyOptions(): { family: ChainFamily; option: Option }[] {
  const seen = new Set<string>()
  const out: { family: ChainFamily; option: Option }[] = []
  for (const family of chainFamilies()) {
    for (const o of cliConfigOf(family)?.buildTxOptions ?? []) {
      const option = new Option(o.flags, `${o.description} (${family.title} chains only)`)
      if (seen.has(option.attributeName())) continue
      seen.add(option.attributeName())
      out.push({ family, option })
    }
  }
  return out
}

/** The family options given, by name, for a chain of their family; exit 2 for one of another family's. */
function familyOptionValues(chainId: ChainId, opts: Record<string, unknown>): Record<string, string> {
  const values: Record<string, string> = {}
  const family = chainFamily(chainId)
  for (const { family: owner, option } of familyOptions()) {
    const value = opts[option.attributeName()]
    if (value === undefined) continue
    if (owner !== family)
      throw usage(`${option.long ?? option.flags} applies to ${owner.title} chains only, not to ${chainId.slice(0, 60)}.`)
    values[option.attributeName()] = String(value)
  }
  return values
}

export function register(program: Command, action: Action): void {
  const command = program
    .command('build-tx')
    .description(
      'build an unsigned transfer for "coffer sign-tx" on an offline machine (nothing is signed; the spending policy is not checked)',
    )
    .argument('<chain>', 'a configured chain name or CAIP-2 id')
    .argument('<asset>', 'a symbol on that chain (USDT, ETH) or a CAIP-19 asset id')
    .argument('<amount>', 'in whole units ("12.5"), or "max"')
    .argument('<to>', 'the recipient address')
    .option('--from <address>', "the paying address (Bitcoin: account descriptor); no wallet needed (default: the wallet's account)")
    .option('--index <n>', "pay from the wallet's account n (default 0)")
    .option('--fee <level>', 'fee level: slow, normal or fast (default normal)')
    .addOption(new Option('--fee-level <level>', 'same as --fee').hideHelp())
    .option('--out <file>', 'write the unsigned transaction here (never overwrites) instead of printing it')
  for (const { option } of familyOptions()) command.addOption(option)
  command.action(
    action(async (ctx, [chainArg, asset, amount, to], opts: Options) => {
      const chain = requireChain(ctx.config, chainArg as string)
      const familyValues = familyOptionValues(chain.chainId, opts as unknown as Record<string, unknown>)
      if (opts.fee !== undefined && opts.feeLevel !== undefined && opts.fee !== opts.feeLevel)
        throw usage('--fee and --fee-level disagree; give one.')
      const feeLevel = parseFeeLevel(opts.fee ?? opts.feeLevel)
      if (opts.from !== undefined && opts.index !== undefined)
        throw usage('--from and --index exclude each other: --from names the payer, --index a wallet account.')
      if (!/^(\d+(\.\d+)?|max)$/.test(amount as string))
        throw usage(`<amount> must be a decimal number in whole units ("12.5") or "max", got "${oneLine(String(amount)).slice(0, 40)}".`)
      const adapter = await ctx.adapter(chain.chainId)
      const from = opts.from ?? (await walletAccount(ctx, chain.chainId, parseIndex(opts.index)))
      // The wallet's own rules for naming the asset and the amount, with the payer as the one account.
      const resolved = await resolveRequest(
        {
          from: { chainId: chain.chainId, address: from },
          to: to as string,
          asset: asset as string,
          amount: amount as string,
          chainId: chain.chainId,
        },
        new Map([[chain.chainId, adapter]]),
        [{ chainId: chain.chainId, secretId: 'build-tx', index: 0, address: from }],
      )
      const quote = await adapter.quoteTransfer({
        from,
        to: to as string,
        asset: resolved.asset.id,
        amount: resolved.amount,
        ...(feeLevel ? { feeLevel } : {}),
      })
      const fee = (await adapter.assets()).find((a) => a.id === quote.fee.asset)
      const shown: WalletQuote = {
        ...quote,
        symbol: resolved.asset.symbol,
        decimals: resolved.asset.decimals,
        ...(resolved.asset.family ? { family: resolved.asset.family } : {}),
        feeSymbol: fee?.symbol ?? quote.fee.asset,
        feeDecimals: fee?.decimals ?? 0,
      }
      const cli = cliConfigOf(chainFamily(chain.chainId))
      const unsigned = cli?.buildTransfer
        ? await cli.buildTransfer(adapter, quote, familyValues, (message) => {
            throw usage(message)
          })
        : await adapter.buildTransfer(quote)
      for (const line of quoteLines(ctx.config, shown)) ctx.out.note(line)
      const lifetime = cli?.lifetimeNote?.(unsigned)
      if (lifetime) ctx.out.note(lifetime)
      ctx.out.note(POLICY_NOTE)
      if (opts.out === undefined) {
        // The unsigned transaction is the result: stdout holds it alone, for a pipe or a file.
        ctx.out.result(unsigned, () => ctx.out.print(toJson(unsigned)))
        return
      }
      await writeNewFile(opts.out, `${toJson(unsigned)}\n`)
      ctx.out.result({ ...quoteJson(shown), out: opts.out }, () =>
        ctx.out.print(`Unsigned transaction written to ${opts.out}. Sign it offline: coffer sign-tx ${opts.out} --out signed.json`),
      )
    }),
  )
}
