/**
 * `coffer history`: every account's transfers merged, newest first, as a table, JSON or CSV
 * (the portfolio's lossless CSV: RFC 4180, formula injection neutralised).
 * @module
 * @internal
 */
import type { Command } from 'commander'
import { formatAmount } from '../../core/amount.js'
import type { PortfolioHistoryItem } from '../../portfolio/history.js'
import { chainName } from '../chains.js'
import { usage } from '../output.js'
import type { Action } from './action.js'
import { walletForReading } from './balance.js'

export function register(program: Command, action: Action): void {
  program
    .command('history')
    .description('transfers in and out of the wallet, newest first')
    .option('--csv', 'print CSV (date, chain, asset, direction, amount, fee, counterparty, hash, …)')
    .option('--limit <n>', 'at most this many transfers', '50')
    .action(
      action(async (ctx, _args, opts: { csv?: boolean; limit: string }) => {
        if (!/^\d{1,7}$/.test(opts.limit) || Number(opts.limit) < 1) throw usage('--limit must be a positive integer.')
        if (opts.csv && ctx.out.json) throw usage('Choose --csv or --json, not both.')
        const limit = Number(opts.limit)
        const wallet = await walletForReading(ctx)
        const portfolio = wallet.portfolio()
        if (opts.csv) {
          process.stdout.write(await portfolio.toCSV({ maxItems: limit }))
          return
        }
        const items: PortfolioHistoryItem[] = []
        let cursor: string | undefined
        do {
          const page = await portfolio.history({ limit: Math.min(1000, limit - items.length), ...(cursor === undefined ? {} : { cursor }) })
          items.push(...page.items)
          cursor = page.cursor
        } while (cursor !== undefined && items.length < limit)
        ctx.out.result(
          {
            items: items.map((i) => ({
              chainId: i.chainId,
              account: i.account,
              hash: i.hash,
              asset: i.asset,
              symbol: i.symbol,
              decimals: i.decimals,
              direction: i.direction,
              from: i.from,
              to: i.to,
              amount: i.amount,
              amountFormatted: formatAmount(i.amount, i.decimals),
              state: i.state,
              ...(i.blockHeight === undefined ? {} : { blockHeight: i.blockHeight }),
              ...(i.timestamp === undefined ? {} : { time: new Date(i.timestamp).toISOString() }),
              ...(i.fee
                ? {
                    fee: {
                      ...i.fee,
                      ...(i.feeDecimals === undefined ? {} : { decimals: i.feeDecimals }),
                      ...(i.feeSymbol ? { symbol: i.feeSymbol } : {}),
                    },
                  }
                : {}),
            })),
          },
          () => {
            if (items.length === 0) return ctx.out.print('No transfers yet.')
            const rows = items.map((i) => [
              i.timestamp === undefined
                ? i.state === 'pending'
                  ? 'pending'
                  : ''
                : new Date(i.timestamp).toISOString().replace('T', ' ').slice(0, 19),
              chainName(ctx.config, i.chainId),
              i.direction === 'in' ? 'in' : i.direction === 'out' ? 'out' : 'self',
              `${formatAmount(i.amount, i.decimals)} ${i.symbol}`,
              i.direction === 'in' ? i.from : i.to,
              i.hash,
            ])
            ctx.out.print(
              ctx.out.table(['Date (UTC)', 'Chain', 'Dir', 'Amount', 'Counterparty', 'Hash'], rows, {
                align: ['left', 'left', 'left', 'right', 'left', 'left'],
              }),
            )
          },
        )
      }),
    )
}
