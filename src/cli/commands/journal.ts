/**
 * `coffer journal verify | show`: the wallet's tamper-evident audit journal (every signature
 * and every refusal). `verify` exits 7 when the journal does not verify.
 * @module
 * @internal
 */
import type { Command } from 'commander'
import type { AuditEntry } from '../../audit/journal.js'
import { formatAmount } from '../../core/amount.js'
import type { ChainAdapter } from '../../chains/adapter.js'
import { chainName } from '../chains.js'
import type { Context } from '../context.js'
import { CliError, EXIT, oneLine, usage } from '../output.js'
import type { Action } from './action.js'

/** `1.5 USDT` when the asset is known to a configured adapter (no network needed for configured tokens), else base units. */
async function assetLookup(adapters: readonly ChainAdapter[]): Promise<(asset: string | undefined, amount: string | undefined) => string> {
  const known = new Map<string, { symbol: string; decimals: number }>()
  await Promise.all(
    adapters.map(async (a) => {
      const list = await a.assets().catch(() => [])
      for (const info of list) known.set(info.id.toLowerCase(), info)
    }),
  )
  return (asset, amount) => {
    if (amount === undefined) return ''
    const info = asset === undefined ? undefined : known.get(asset.toLowerCase())
    return info ? `${formatAmount(BigInt(amount), info.decimals)} ${info.symbol}` : `${amount} (${asset ?? '?'})`
  }
}

function entryJson(e: AuditEntry): Record<string, unknown> {
  return { ...e, decision: { ...e.decision } }
}

async function verify(ctx: Context): Promise<void> {
  const wallet = await ctx.unlockedWallet()
  try {
    const result = await wallet.journal.verify()
    ctx.out.result({ ok: result.ok, count: result.count, ...(result.head ? { head: result.head } : {}), problems: result.problems }, () => {
      if (result.ok)
        ctx.out.print(
          `Journal OK: ${result.count} entr${result.count === 1 ? 'y' : 'ies'}${result.head ? `, head #${result.head.seq} ${result.head.digest}` : ''}.`,
        )
      else {
        ctx.out.print(`Journal FAILED verification (${result.count} entries stored):`)
        for (const p of result.problems) ctx.out.print(`  #${p.seq}: ${p.problem}`)
      }
    })
    if (!result.ok) {
      const first = result.problems[0]
      throw new CliError(
        EXIT.JOURNAL,
        `The audit journal failed verification (${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}${first ? `, first: ${first.problem} at #${first.seq}` : ''}).`,
        { code: 'JOURNAL', reported: true },
      )
    }
  } finally {
    wallet.lock()
  }
}

async function show(ctx: Context, opts: { limit: string; from?: string }): Promise<void> {
  if (!/^\d{1,7}$/.test(opts.limit)) throw usage('--limit must be a non-negative integer.')
  if (opts.from !== undefined && !/^\d{1,12}$/.test(opts.from)) throw usage('--from must be a non-negative integer.')
  const wallet = await ctx.unlockedWallet()
  try {
    const journal = wallet.journal
    const count = (await journal.verify()).count
    const limit = Number(opts.limit)
    const from = opts.from === undefined ? Math.max(0, count - limit) : Number(opts.from)
    const entries = await journal.entries({ from, limit })
    const amount = await assetLookup(await ctx.adapters())
    ctx.out.result({ count, entries: entries.map(entryJson) }, () => {
      if (entries.length === 0) return ctx.out.print('The journal is empty.')
      const rows = entries.map((e) => [
        String(e.seq),
        e.time.replace('T', ' ').slice(0, 19),
        e.status ? `${e.kind} ${e.status}` : e.kind,
        e.chainId ? chainName(ctx.config, e.chainId) : '',
        e.to ?? '',
        amount(e.asset, e.amount),
        e.decision.allowed ? 'allowed' : `refused (${e.decision.rule ?? 'policy'})`,
        e.hash ?? oneLine(e.note ?? '').slice(0, 40),
      ])
      ctx.out.print(ctx.out.table(['#', 'Time (UTC)', 'Kind', 'Chain', 'To', 'Amount', 'Decision', 'Hash / note'], rows))
    })
  } finally {
    wallet.lock()
  }
}

export function register(program: Command, action: Action): void {
  const group = program.command('journal').description('the audit journal of every signature and refusal')
  group
    .command('verify')
    .description('check the journal for edited, removed, reordered or duplicated entries (exit 7 if any)')
    .action(action(async (ctx) => verify(ctx)))
  group
    .command('show')
    .description('list journal entries (the newest by default)')
    .option('--limit <n>', 'at most this many entries', '20')
    .option('--from <seq>', 'start at this entry (default: the newest --limit)')
    .action(action(async (ctx, _args, opts: { limit: string; from?: string }) => show(ctx, opts)))
}
