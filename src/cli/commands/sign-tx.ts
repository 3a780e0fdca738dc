/**
 * `coffer sign-tx <file>`: signs an unsigned transaction (the JSON `adapter.buildTransfer`
 * returns) with no network at all: the adapter for its chain points at an address nothing
 * listens on, and signing never calls it. The key is the wallet's whose account id (an address,
 * or a multi-address account's descriptor) is the transaction's `from`, found the way the chain's
 * family derives accounts (`chainFamily(chainId)`): accounts 0-19 of every mnemonic in the vault
 * (or `--index n`) and every imported key. The signature is journaled. The
 * spending policy does not apply (there is no quote to check); the summary is shown and
 * confirmed instead. The file's `symbol` and `decimals` are shown only when this machine's own
 * asset list agrees with them (see ../summary.ts); else amounts are base units, with a warning.
 * @module
 * @internal
 */
import type { Command } from 'commander'
import { AuditJournal } from '../../audit/journal.js'
import type { ChainAdapter, UnsignedTransaction } from '../../chains/adapter.js'
import { findChainFamily } from '../../chains/family.js'
import { newPaymentId } from '../../wallet/payments.js'
import { buildAdapter, chainName, findChain, OFFLINE_RPC, unconfiguredAdapter } from '../chains.js'
import type { Context } from '../context.js'
import { isObject, readJsonFile, writeNewFile } from '../files.js'
import { cancelled, cleanText, toJson, usage } from '../output.js'
import { askConfirm } from '../prompt.js'
import { findSigner } from '../signers.js'
import { checkShownAsset, shownAmount } from '../summary.js'
import type { Action } from './action.js'
import { parseIndex } from './address.js'

/** Accounts searched per mnemonic when `--index` is not given. */
const SCAN = 20

async function readUnsigned(file: string): Promise<UnsignedTransaction> {
  const data = await readJsonFile(file)
  const tx = isObject(data) && isObject(data.unsigned) ? data.unsigned : data
  if (
    !isObject(tx) ||
    typeof tx.chainId !== 'string' ||
    typeof tx.kind !== 'string' ||
    typeof tx.from !== 'string' ||
    !isObject(tx.payload) ||
    !isObject(tx.summary)
  ) {
    throw usage(`${file} is not an unsigned transaction ({ chainId, kind, from, summary, payload }, as adapter.buildTransfer returns it).`)
  }
  return tx as unknown as UnsignedTransaction
}

/** An adapter for the transaction's chain that never reaches a network. */
async function offlineAdapter(ctx: Context, chainId: string): Promise<ChainAdapter> {
  const configured = findChain(ctx.config, chainId)
  if (configured) return buildAdapter(configured, undefined, { offline: true })
  const adapter = await unconfiguredAdapter(chainId, [OFFLINE_RPC], { offline: true }, (message) => {
    throw usage(`${chainId.slice(0, 60)}: ${message}`)
  })
  if (!adapter) throw usage(`coffer cannot sign for chain "${cleanText(chainId).slice(0, 60)}".`)
  return adapter
}

export function register(program: Command, action: Action): void {
  program
    .command('sign-tx')
    .description(
      'sign an unsigned transaction file offline (no network needed) and print the raw signed transaction (hex; base64 on Solana)',
    )
    .argument('<file>', 'the unsigned transaction JSON (from "coffer build-tx" or adapter.buildTransfer)')
    .option('--out <file>', 'write the signed transaction JSON (for "coffer broadcast") here instead of printing the raw hex')
    .option('--index <n>', 'the account to sign with (default: search accounts 0-19 and imported keys)')
    .action(
      action(async (ctx, [file], opts: { out?: string; index?: string }) => {
        const unsigned = await readUnsigned(file as string)
        const index = opts.index === undefined ? undefined : parseIndex(opts.index)
        const adapter = await offlineAdapter(ctx, unsigned.chainId)
        const assets = await adapter.assets()
        const own = assets.find((a) => a.id.toLowerCase() === String(unsigned.summary.asset).toLowerCase())
        const native = assets.find((a) => a.id === adapter.nativeAsset)
        const units = (value: unknown) => {
          const text = String(value)
          if (!/^\d{1,80}$/.test(text)) throw usage(`${file}: summary amounts must be decimal base units.`)
          return text
        }
        const shown = checkShownAsset(unsigned.summary, own, file as string)
        const amount = shownAmount(units(unsigned.summary.amount), String(unsigned.summary.asset), shown)
        const to = cleanText(String(unsigned.summary.to)).slice(0, 100)
        const lines = [
          `Sign:   ${amount} to ${to}`,
          `Chain:  ${chainName(ctx.config, unsigned.chainId)}`,
          `From:   ${cleanText(unsigned.from).slice(0, 200)}`,
          `Fee:    up to ${shownAmount(units(unsigned.summary.fee), adapter.nativeAsset, native ? { known: native } : {})}`,
        ]
        const vault = await ctx.unlockedVault()
        try {
          // The family of the transaction's chain derives and names its accounts; a transaction of another family's kind has no key here.
          const family = findChainFamily(unsigned.chainId)
          const indexes = index === undefined ? Array.from({ length: SCAN }, (_, k) => k) : [index]
          const signer =
            family && unsigned.kind.startsWith(`${family.kind}-`)
              ? await findSigner(vault, family, unsigned.chainId, unsigned.from, indexes, index === undefined)
              : undefined
          if (!signer)
            throw usage(
              `No key in this wallet signs for ${cleanText(unsigned.from).slice(0, 120)}${index === undefined ? ` (searched accounts 0-${SCAN - 1} and imported keys; pass --index for another)` : ` at index ${index}`}.`,
            )
          for (const line of lines) ctx.out.note(line)
          if (shown.warning) ctx.out.warn(shown.warning)
          if (!ctx.yes && !(await askConfirm(`Sign ${amount} to ${to}?`))) throw cancelled('Cancelled: nothing was signed.')
          const signed = await adapter.signTransaction(unsigned, signer)
          const journal = await AuditJournal.open({ storage: ctx.storage, sealer: vault.sealer('journal') })
          await journal.append({
            kind: 'transaction',
            chainId: unsigned.chainId,
            from: signed.from,
            to: String(unsigned.summary.to),
            asset: unsigned.summary.asset,
            amount: String(unsigned.summary.amount),
            fee: String(unsigned.summary.fee),
            feeAsset: adapter.nativeAsset,
            hash: signed.hash,
            // A payment signed for a broadcast elsewhere: `coffer broadcast` with this wallet continues it.
            status: 'signed',
            payment: newPaymentId(),
            decision: { allowed: true },
            note: 'signed offline by coffer sign-tx; broadcast elsewhere',
          })
          const doc = { chainId: signed.chainId, kind: signed.kind, from: signed.from, hash: signed.hash, raw: signed.raw }
          if (opts.out !== undefined) {
            await writeNewFile(opts.out, `${toJson(doc)}\n`)
            ctx.out.result({ hash: signed.hash, out: opts.out }, () =>
              ctx.out.print(`Signed ${signed.hash}; written to ${opts.out}. Broadcast it online with: coffer broadcast ${opts.out}`),
            )
          } else {
            // People and pipes get the raw hex (what `cast publish` or `sendrawtransaction` take); --json the whole document.
            ctx.out.result(doc, () => {
              ctx.out.note(`Signed ${signed.hash}`)
              ctx.out.print(signed.raw)
            })
          }
        } finally {
          vault.lock()
        }
      }),
    )
}
