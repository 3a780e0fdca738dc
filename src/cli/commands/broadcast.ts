/**
 * `coffer broadcast <file>`: the last, online step of offline signing. Sends the signed
 * transaction `coffer sign-tx --out` wrote (`{ chainId, kind, from, hash, raw }`) through the
 * configured chain's adapter, then waits for one confirmation (`--no-wait`: it returns after
 * the broadcast). Three endings:
 *
 * - sent (exit 0, the hash on stdout);
 * - refused by the node (exit 8; 5 for insufficient funds): nothing went out;
 * - unknown (exit 9): the node's answer was lost (`BroadcastUnknownError`). The hash is printed
 *   and the transaction may be on its way: look it up, or run `coffer broadcast` again with the
 *   same file (the same bytes; never sign a new payment for it).
 *
 * With a wallet at the vault path the broadcast is journaled there (see ../broadcast-journal.ts;
 * the password unlocks the journal, and a journal that does not verify stops the broadcast).
 * @module
 * @internal
 */
import type { Command } from 'commander'
import type { SignedTransaction, TransactionStatus } from '../../chains/adapter.js'
import { BroadcastUnknownError, CofferError } from '../../core/errors.js'
import { failedSend } from '../../wallet/payments.js'
import { BroadcastRecord } from '../broadcast-journal.js'
import { chainName, findChain } from '../chains.js'
import type { Context } from '../context.js'
import { isObject, readJsonFile } from '../files.js'
import { CliError, EXIT, cleanText, errorLine, exitCodeOf, usage } from '../output.js'
import type { Action } from './action.js'

async function readSigned(file: string): Promise<SignedTransaction> {
  const data = await readJsonFile(file)
  const ok =
    isObject(data) &&
    ['chainId', 'kind', 'from', 'raw'].every((k) => typeof data[k] === 'string') &&
    (data.hash === undefined || typeof data.hash === 'string')
  if (!ok) throw usage(`${file} is not a signed transaction ({ chainId, kind, from, hash, raw }, as "coffer sign-tx --out" writes it).`)
  return data as unknown as SignedTransaction
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

/** Records the outcome without hiding it: a journal that fails now is a warning, not the result. */
async function recordOutcome(
  ctx: Context,
  record: BroadcastRecord | undefined,
  status: 'sent' | 'unknown' | 'rejected',
  why?: string,
): Promise<void> {
  try {
    await record?.outcome(status, why)
  } catch (error) {
    ctx.out.warn(`The journal did not take the outcome (${status}): ${errorLine(error)}`)
  }
}

export function register(program: Command, action: Action): void {
  program
    .command('broadcast')
    .description('broadcast a transaction signed by "coffer sign-tx --out" (online) and wait for a confirmation')
    .argument('<file>', 'the signed transaction JSON ({ chainId, kind, from, hash, raw })')
    .option('--no-wait', 'do not wait for the confirmation')
    .action(
      action(async (ctx, [file], opts: { wait: boolean }) => {
        const signed = await readSigned(file as string)
        const chain = findChain(ctx.config, signed.chainId)
        if (!chain)
          throw usage(
            `${cleanText(signed.chainId).slice(0, 80)} is not a configured chain: add it to the config file, or pass --rpc ${cleanText(signed.chainId).slice(0, 80)}=<url>.`,
          )
        const adapter = await ctx.adapter(chain.chainId)
        const record = await BroadcastRecord.open(ctx, signed)
        if (!record) ctx.out.note(`No wallet at ${ctx.vaultPath}: this broadcast is not journaled.`)
        let hash: string
        try {
          try {
            hash = await adapter.broadcast(signed)
          } catch (error) {
            const outcome = failedSend(error, true) // the bytes are signed: anything but a stated refusal may hide a broadcast
            await recordOutcome(ctx, record, outcome, error instanceof CofferError ? error.shortMessage : String(error))
            if (!(error instanceof BroadcastUnknownError)) throw error
            const maybe = error.transaction.hash
            const line = errorLine(error)
            ctx.out.result(
              {
                chainId: chain.chainId,
                from: signed.from,
                hash: maybe,
                state: 'unknown',
                journaled: record !== undefined,
                error: { code: error.code, message: line, exitCode: EXIT.MAYBE_SENT },
              },
              () => {
                ctx.out.print(`Maybe sent: ${maybe}`)
              },
            )
            ctx.out.note(
              `It may be on its way: look ${maybe} up later, or run "coffer broadcast ${file}" again (the same bytes). Do not sign a new payment for it.`,
            )
            throw new CliError(EXIT.MAYBE_SENT, line, { code: error.code, cause: error, reported: true })
          }
          await recordOutcome(ctx, record, 'sent')
        } finally {
          record?.close()
        }
        ctx.out.print(`Sent: ${hash} on ${chainName(ctx.config, chain.chainId)}`)
        let status: TransactionStatus | undefined
        if (opts.wait) {
          const spinner = ctx.out.spinner('Waiting for 1 confirmation…')
          try {
            status = await adapter.waitForTransaction(hash, { confirmations: 1 })
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
        ctx.out.result(
          {
            chainId: chain.chainId,
            from: signed.from,
            hash,
            state: 'sent',
            journaled: record !== undefined,
            ...(status ? { status: statusJson(status) } : {}),
          },
          () => {
            ctx.out.print(
              status
                ? `Status: ${status.state}${status.blockHeight === undefined ? '' : ` in block ${status.blockHeight}`}`
                : 'Status: sent (not waiting for confirmation)',
            )
          },
        )
        if (status?.state === 'failed')
          throw new CliError(EXIT.FAILURE, `Transaction ${hash} failed on chain (reverted); its fee was spent.`, { reported: true })
      }),
    )
}
