/**
 * `coffer balance [--watch]`: every asset of every configured chain for the wallet's accounts,
 * with totals per family and fiat values when a price source is configured. `--watch` then
 * follows new blocks and prints incoming and outgoing transfers until Ctrl-C. Without a
 * configured chain it exits 2 saying how to add one.
 * @module
 * @internal
 */
import type { Command } from 'commander'
import { formatAmount } from '../../core/amount.js'
import type { PortfolioSnapshot, PortfolioTransfer, BalanceChange } from '../../portfolio/types.js'
import type { Wallet } from '../../wallet/wallet.js'
import { chainName } from '../chains.js'
import type { Context } from '../context.js'
import { accountText } from '../format.js'
import { CliError, EXIT, oneLine, usage } from '../output.js'
import { onStopSignal } from '../signals.js'
import type { Action } from './action.js'

/** The wallet, unlocked only when a configured chain still has no account (new in the config). */
export async function walletForReading(ctx: Context): Promise<Wallet> {
  const wallet = await ctx.wallet()
  const have = new Set(wallet.accounts().map((a) => a.chainId))
  if ((await ctx.adapters()).some((a) => !have.has(a.chainId))) {
    await wallet.unlock(await ctx.password())
    wallet.lock()
  }
  return wallet
}

function snapshotJson(s: PortfolioSnapshot): Record<string, unknown> {
  return {
    takenAt: new Date(s.takenAt).toISOString(),
    currency: s.currency,
    ...(s.value === undefined ? {} : { value: s.value }),
    balances: s.balances.map((b) => ({
      chainId: b.chainId,
      account: b.account,
      asset: b.asset,
      symbol: b.symbol,
      decimals: b.decimals,
      ...(b.family ? { family: b.family } : {}),
      amount: b.amount,
      amountFormatted: formatAmount(b.amount, b.decimals),
      confirmed: b.confirmed,
      pending: b.pending,
      blockHeight: b.blockHeight,
      stale: b.stale,
      ...(b.error ? { error: b.error.shortMessage } : {}),
      ...(b.price === undefined ? {} : { price: b.price }),
      ...(b.value === undefined ? {} : { value: b.value }),
    })),
    totals: s.totals.map((t) => ({
      key: t.key,
      symbol: t.symbol,
      ...(t.family ? { family: t.family } : {}),
      decimals: t.decimals,
      amount: t.amount,
      amountFormatted: formatAmount(t.amount, t.decimals),
      testnet: t.testnet,
      chains: t.chains,
      ...(t.value === undefined ? {} : { value: t.value }),
      valueComplete: t.valueComplete,
      stale: t.stale,
    })),
    chains: s.chains.map((c) => ({
      chainId: c.chainId,
      ...(c.blockHeight === undefined ? {} : { blockHeight: c.blockHeight }),
      stale: c.stale,
      ...(c.error ? { error: c.error.shortMessage } : {}),
    })),
    ...(s.priceError ? { priceError: s.priceError.shortMessage } : {}),
  }
}

function printSnapshot(ctx: Context, wallet: Wallet, s: PortfolioSnapshot): void {
  const cur = s.currency.toUpperCase()
  const label = new Map(wallet.accounts().map((a) => [`${a.chainId}|${a.descriptor ?? a.address}`, accountText(a)]))
  const priced = s.balances.some((b) => b.value !== undefined)
  const rows = s.balances.map((b) => {
    const pending = b.pending === 0n ? '' : ` (${b.pending > 0n ? '+' : ''}${formatAmount(b.pending, b.decimals)} pending)`
    return [
      chainName(ctx.config, b.chainId),
      label.get(`${b.chainId}|${b.account}`) ?? b.account,
      b.symbol,
      `${formatAmount(b.amount, b.decimals)}${pending}${b.stale ? ' (stale)' : ''}`,
      ...(priced ? [b.value === undefined ? '' : `${b.value} ${cur}`] : []),
    ]
  })
  ctx.out.print(
    ctx.out.table(['Chain', 'Account', 'Asset', 'Amount', ...(priced ? ['Value'] : [])], rows, {
      align: ['left', 'left', 'left', 'right', 'right'],
    }),
  )
  if (s.totals.length) {
    ctx.out.print('Totals')
    const totalRows = s.totals.map((t) => [
      `${t.family ?? t.symbol}${t.testnet ? ' (testnet)' : ''}`,
      formatAmount(t.amount, t.decimals),
      ...(priced ? [t.value === undefined ? '' : `${t.value} ${cur}${t.valueComplete ? '' : ' (some unpriced)'}`] : []),
      t.chains.map((c) => chainName(ctx.config, c)).join(', '),
    ])
    ctx.out.print(
      ctx.out.table(['Asset', 'Amount', ...(priced ? ['Value'] : []), 'Chains'], totalRows, {
        align: ['left', 'right', ...(priced ? ['right' as const] : []), 'left'],
      }),
    )
  }
  if (s.value !== undefined) ctx.out.print(`Total value: ${s.value} ${cur}`)
  if (s.testnetValue !== undefined) ctx.out.print(`Test networks: ${s.testnetValue} ${cur} (not real money; never added to the total)`)
}

function transferLine(ctx: Context, t: PortfolioTransfer): string {
  const sign = t.direction === 'in' ? '+' : t.direction === 'out' ? '-' : '='
  const other = t.direction === 'in' ? `from ${t.from}` : `to ${t.to}`
  return `${sign} ${formatAmount(t.amount, t.decimals)} ${t.symbol} on ${chainName(ctx.config, t.chainId)} ${other} (${t.hash})`
}

function changeLine(ctx: Context, c: BalanceChange): string {
  return `~ ${c.symbol} on ${chainName(ctx.config, c.chainId)}: ${formatAmount(c.previous, c.decimals)} -> ${formatAmount(c.amount, c.decimals)} (${c.delta > 0n ? '+' : ''}${formatAmount(c.delta, c.decimals)})`
}

function transferJson(t: PortfolioTransfer): Record<string, unknown> {
  return {
    event: t.direction === 'in' ? 'incoming' : 'outgoing',
    chainId: t.chainId,
    account: t.account,
    asset: t.asset,
    symbol: t.symbol,
    decimals: t.decimals,
    amount: t.amount,
    from: t.from,
    to: t.to,
    hash: t.hash,
    ...(t.blockHeight === undefined ? {} : { blockHeight: t.blockHeight }),
    state: t.state,
  }
}

/** Follows the portfolio until SIGINT / SIGTERM; resolves with the signal's exit code. */
async function watch(ctx: Context, wallet: Wallet, intervalMs: number): Promise<never> {
  const portfolio = wallet.portfolio()
  portfolio.on('incoming', (t) => ctx.out.event(transferJson(t), transferLine(ctx, t)))
  portfolio.on('outgoing', (t) => ctx.out.event(transferJson(t), transferLine(ctx, t)))
  portfolio.on('change', (c) => {
    // Token moves are reported as transfers; a change without transfers is a native coin move.
    if (c.transfers.length === 0)
      ctx.out.event(
        {
          event: 'change',
          chainId: c.chainId,
          account: c.account,
          asset: c.asset,
          symbol: c.symbol,
          decimals: c.decimals,
          previous: c.previous,
          amount: c.amount,
          delta: c.delta,
          blockHeight: c.blockHeight,
        },
        changeLine(ctx, c),
      )
  })
  portfolio.on('reorg', (r) =>
    ctx.out.event(
      { event: 'reorg', chainId: r.chainId, forkHeight: r.forkHeight, depth: r.depth },
      `! reorg on ${chainName(ctx.config, r.chainId)}: ${r.depth} block(s) replaced after ${r.forkHeight}`,
    ),
  )
  portfolio.on('error', (e) => ctx.out.warn(`${e.chainId ? `${chainName(ctx.config, e.chainId)}: ` : ''}${e.error.shortMessage}`))
  ctx.out.note('Watching for transfers; Ctrl-C to stop.')
  portfolio.watch({ intervalMs })
  let release = () => {}
  const signal = await new Promise<'SIGINT' | 'SIGTERM'>((resolve) => {
    release = onStopSignal(resolve)
  })
  release()
  await portfolio.stop()
  throw new CliError(signal === 'SIGINT' ? EXIT.CANCELLED : EXIT.TERMINATED, '', { code: 'CANCELLED', reported: true })
}

export function register(program: Command, action: Action): void {
  program
    .command('balance')
    .description('balances of every asset on every configured chain, with totals and fiat values')
    .option('--watch', 'keep following new blocks and print transfers until Ctrl-C')
    .option('--interval <ms>', 'time between polls with --watch', '5000')
    .action(
      action(async (ctx, _args, opts: { watch?: boolean; interval: string }) => {
        if (!/^\d{2,9}$/.test(opts.interval)) throw usage('--interval must be milliseconds (at least 10).')
        const wallet = await walletForReading(ctx)
        const snapshot = await wallet.portfolio().refresh()
        const failed = snapshot.chains.filter((c) => c.stale)
        const print = () => printSnapshot(ctx, wallet, snapshot)
        if (opts.watch) {
          if (ctx.out.json) ctx.out.event({ event: 'snapshot', ...snapshotJson(snapshot) }, '')
          else print()
          for (const c of failed) ctx.out.warn(`${chainName(ctx.config, c.chainId)}: ${c.error?.shortMessage ?? 'not read'}`)
          await watch(ctx, wallet, Number(opts.interval))
        }
        ctx.out.result(snapshotJson(snapshot), print)
        for (const c of failed) ctx.out.warn(`${chainName(ctx.config, c.chainId)}: ${oneLine(c.error?.shortMessage ?? 'not read')}`)
        if (failed.length) {
          throw new CliError(
            EXIT.NETWORK,
            `Could not read ${failed.map((c) => chainName(ctx.config, c.chainId)).join(', ')}; balances shown there are the last known (stale).`,
            { code: 'NETWORK', reported: true },
          )
        }
      }),
    )
}
