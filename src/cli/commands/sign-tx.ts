/**
 * `coffer sign-tx <file>`: signs an unsigned transaction (the JSON `adapter.buildTransfer`
 * returns) with no network at all: the adapter for its chain points at an address nothing
 * listens on, and signing never calls it. The key is the wallet's whose address (EVM) or
 * account descriptor (Bitcoin) is the transaction's `from`: accounts 0-19 of every mnemonic
 * in the vault (or `--index n`) and every imported key. The signature is journaled. The
 * spending policy does not apply (there is no quote to check); the summary is shown and
 * confirmed instead. The file's `symbol` and `decimals` are shown only when this machine's own
 * asset list agrees with them (see ../summary.ts); else amounts are base units, with a warning.
 * @module
 * @internal
 */
import type { Command } from 'commander'
import { AuditJournal } from '../../audit/journal.js'
import type { ChainId } from '../../core/caip.js'
import type { ChainAdapter, UnsignedTransaction } from '../../chains/adapter.js'
import { bitcoin } from '../../chains/bitcoin/adapter.js'
import { evm } from '../../chains/evm/adapter.js'
import { evmChainInfo } from '../../chains/evm/registry.js'
import { BITCOIN_ADDRESS_TYPES, type BitcoinNetwork } from '../../keys/address/bitcoin.js'
import type { AccountSigner, Signer } from '../../keys/signer.js'
import type { Vault } from '../../vault/vault.js'
import { newPaymentId } from '../../wallet/payments.js'
import { buildAdapter, chainName, findChain, OFFLINE_RPC, unconfiguredChain } from '../chains.js'
import type { Context } from '../context.js'
import { isObject, readJsonFile, writeNewFile } from '../files.js'
import { cancelled, cleanText, toJson, usage } from '../output.js'
import { askConfirm } from '../prompt.js'
import { checkShownAsset, shownAmount } from '../summary.js'
import type { Action } from './action.js'
import { parseIndex } from './address.js'

/** Accounts searched per mnemonic when `--index` is not given. */
const SCAN = 20

async function readUnsigned(file: string): Promise<UnsignedTransaction> {
  const data = await readJsonFile(file)
  const tx = isObject(data) && isObject(data.unsigned) ? data.unsigned : data
  if (!isObject(tx) || typeof tx.chainId !== 'string' || typeof tx.kind !== 'string' || typeof tx.from !== 'string' || !isObject(tx.payload) || !isObject(tx.summary)) {
    throw usage(`${file} is not an unsigned transaction ({ chainId, kind, from, summary, payload }, as adapter.buildTransfer returns it).`)
  }
  return tx as unknown as UnsignedTransaction
}

/** An adapter for the transaction's chain that never reaches a network. */
function offlineAdapter(ctx: Context, chainId: string): ChainAdapter {
  const configured = findChain(ctx.config, chainId)
  if (configured) return buildAdapter(configured, undefined, { offline: true })
  const other = unconfiguredChain(chainId)
  if (other?.kind === 'bitcoin') return bitcoin({ network: other.network, esploraUrl: OFFLINE_RPC })
  if (other?.kind === 'evm') {
    if (!evmChainInfo(Number(chainId.slice('eip155:'.length)))) throw usage(`${chainId} is not in coffer's registry; add it to the config file with a "chainDefinition".`)
    return evm({ chain: chainId as ChainId, rpcUrls: [OFFLINE_RPC], retryCount: 0, timeoutMs: 1_000 })
  }
  throw usage(`coffer cannot sign for chain "${cleanText(chainId).slice(0, 60)}".`)
}

async function evmSigner(vault: Vault, from: string, index: number | undefined): Promise<Signer | undefined> {
  const want = from.toLowerCase()
  for (const secret of vault.listSecrets()) {
    if (secret.kind === 'mnemonic') {
      for (const i of index === undefined ? Array.from({ length: SCAN }, (_, k) => k) : [index]) {
        const signer = await vault.getSigner({ secretId: secret.id, chain: 'evm', index: i })
        if (signer.address.toLowerCase() === want) return signer
      }
    } else if (secret.curve === 'secp256k1' && index === undefined) {
      const signer = await vault.getSigner({ secretId: secret.id, chain: 'evm' })
      if (signer.address.toLowerCase() === want) return signer
    }
  }
  return undefined
}

async function bitcoinSigner(vault: Vault, from: string, network: BitcoinNetwork, index: number | undefined): Promise<AccountSigner | undefined> {
  for (const secret of vault.listSecrets()) {
    if (secret.kind !== 'mnemonic') continue
    for (const addressType of BITCOIN_ADDRESS_TYPES) {
      for (const account of index === undefined ? Array.from({ length: SCAN }, (_, k) => k) : [index]) {
        const signer = await vault.getAccountSigner({ secretId: secret.id, chain: 'bitcoin', network, addressType, account })
        if (signer.descriptor === from) return signer
      }
    }
  }
  return undefined
}

export function register(program: Command, action: Action): void {
  program
    .command('sign-tx')
    .description('sign an unsigned transaction file offline (no network needed) and print the signed transaction as hex')
    .argument('<file>', 'the unsigned transaction JSON (from "coffer build-tx" or adapter.buildTransfer)')
    .option('--out <file>', 'write the signed transaction JSON (for "coffer broadcast") here instead of printing the raw hex')
    .option('--index <n>', 'the account to sign with (default: search accounts 0-19 and imported keys)')
    .action(
      action(async (ctx, [file], opts: { out?: string; index?: string }) => {
        const unsigned = await readUnsigned(file as string)
        const index = opts.index === undefined ? undefined : parseIndex(opts.index)
        const adapter = offlineAdapter(ctx, unsigned.chainId)
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
          const network = unsigned.payload.network as BitcoinNetwork | undefined
          const signer = unsigned.kind.startsWith('evm-')
            ? await evmSigner(vault, unsigned.from, index)
            : unsigned.kind === 'bitcoin-psbt'
              ? await bitcoinSigner(vault, unsigned.from, (adapter as { network?: BitcoinNetwork }).network ?? network ?? 'mainnet', index)
              : undefined
          if (!signer) throw usage(`No key in this wallet signs for ${cleanText(unsigned.from).slice(0, 120)}${index === undefined ? ` (searched accounts 0-${SCAN - 1} and imported keys; pass --index for another)` : ` at index ${index}`}.`)
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
            ctx.out.result({ hash: signed.hash, out: opts.out }, () => ctx.out.print(`Signed ${signed.hash}; written to ${opts.out}. Broadcast it online with: coffer broadcast ${opts.out}`))
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
