/**
 * Pricing a Bitcoin transfer: gather spendable outputs (an account's, after discovery, or a
 * single address's), read the fee rates (capped) and the tip, select coins at each fee level,
 * and describe the transaction to build as JSON. An amount below its output's dust threshold is
 * refused before any request; insufficient funds are reported before anything is built or signed.
 * @module
 * @internal
 */
import { bytesToHex } from '@noble/hashes/utils.js'
import { InvalidAddressError, InvalidAmountError } from '../../core/errors.js'
import { decodeBitcoinAddress, type BitcoinNetwork } from '../../keys/address/bitcoin.js'
import { FEE_LEVELS, type FeeEstimate, type FeeLevel, type Json, type TransferQuote, type TransferRequest } from '../adapter.js'
import type { Source } from './account.js'
import type { Call } from './call.js'
import { rpc, type BitcoinBackend } from './client.js'
import { selectCoins, type RecipientType, type Selection } from './coin-selection.js'
import { discover, type DiscoveryLimits, type OwnedUtxo } from './discovery.js'
import { checkFeeRate, feeRates, type FeeCaps } from './fees.js'
import type { BitcoinChain } from './networks.js'
import { checkTip, type CheckedTransfer } from './validate.js'
import { dustThreshold, type ScriptType } from './vsize.js'

/** A Bitcoin transfer request: the contract's, plus UTXO options. */
export interface BitcoinTransferRequest extends TransferRequest {
  /** Spend unconfirmed outputs too. Default false. */
  allowUnconfirmed?: boolean
}

/** What a recipient address's output costs to create. */
export function recipientType(address: string, network: BitcoinNetwork): RecipientType {
  const info = decodeBitcoinAddress(address, network)
  if (!info) throw new InvalidAddressError(`Not a ${network} Bitcoin address: ${JSON.stringify(address.slice(0, 90))}.`)
  if (info.type === 'p2pkh') return 'p2pkh'
  if (info.type === 'p2sh') return 'p2sh'
  if (info.type === 'witness' && info.version === 0) return info.program.length === 20 ? 'p2wpkh' : 'p2wsh'
  // Witness v1+ outputs (taproot and future versions) cost what a 32-byte program costs, or less.
  return 'p2tr'
}

/** Refuses an amount below the dust threshold of the recipient's output type: nodes would not relay it. @throws InvalidAmountError, InvalidAddressError */
export function checkDust(amount: bigint | 'max', to: string, network: BitcoinNetwork): void {
  if (amount !== 'max') {
    const type = recipientType(to, network)
    const dust = dustThreshold(type)
    if (amount < dust)
      throw new InvalidAmountError(
        `${amount} sat is below the dust threshold of ${dust} sat for a ${type} output; nodes would not relay it.`,
        { details: { amount, dust, outputType: type } },
      )
  }
}

/** Spendable outputs and where change goes, for a source. */
export interface Spendable {
  utxos: (OwnedUtxo & { type: ScriptType })[]
  change: { address: string; publicKey?: Uint8Array; path?: string; change?: 0 | 1; index?: number }
  changeType: ScriptType
}

/** A spendable output as quotes, replacements and the journal keep it (an `InputJson`: hex key, decimal value). */
export function inputJson(u: Spendable['utxos'][number]) {
  return {
    txid: u.txid,
    vout: u.vout,
    value: u.value.toString(),
    type: u.type,
    address: u.address,
    ...(u.publicKey.length ? { publicKey: bytesToHex(u.publicKey) } : {}),
    ...(u.path ? { path: u.path } : {}),
  }
}

/** The UTXOs a source can spend, and its change destination. @throws DiscoveryLimitError */
export async function spendable(backend: BitcoinBackend, source: Source, limits: DiscoveryLimits): Promise<Spendable> {
  if (source.kind === 'address') {
    const utxos = await rpc(`Reading UTXOs of ${source.address}`, () => backend.utxos(source.address))
    // A single address cannot prove its own key; signing checks it against the signer's.
    const type: ScriptType = source.addressType
    return {
      utxos: utxos.map((u) => ({ ...u, address: source.address, publicKey: new Uint8Array(0), type })),
      change: { address: source.address },
      changeType: type,
    }
  }
  const state = await discover(backend, source, limits)
  const type = source.descriptor.addressType
  return {
    utxos: state.utxos.map((u) => ({ ...u, type })),
    change: {
      address: state.nextChange.address,
      publicKey: state.nextChange.publicKey,
      change: 1,
      index: state.nextChange.index,
      ...(state.nextChange.path ? { path: state.nextChange.path } : {}),
    },
    changeType: type,
  }
}

/** Everything a quote needs. */
interface QuoteInputs {
  chain: BitcoinChain
  source: Source
  to: string
  amount: bigint | 'max'
  level: FeeLevel
  rates: Record<FeeLevel, bigint>
  funds: Spendable
  allowUnconfirmed: boolean
  /** The backend's tip height: the build's anti-fee-sniping lock time starts from it. */
  tipHeight: number
}

function select(q: QuoteInputs, feeRate: bigint): Selection {
  return selectCoins({
    utxos: q.funds.utxos.map((u) => ({ id: `${u.txid}:${u.vout}`, value: u.value, type: u.type, confirmed: u.confirmed })),
    target: q.amount,
    feeRate,
    outputs: [recipientType(q.to, q.chain.network)],
    changeType: q.funds.changeType,
    allowUnconfirmed: q.allowUnconfirmed,
  })
}

/** Selects coins at the chosen level (prices the others on the same inputs) and makes the quote. */
function makeQuote(q: QuoteInputs): TransferQuote {
  const chosen = select(q, q.rates[q.level])
  const fees = Object.fromEntries(
    FEE_LEVELS.map((level): [FeeLevel, FeeEstimate] => {
      let fee: bigint
      try {
        fee = level === q.level ? chosen.fee : select(q, q.rates[level]).fee
      } catch {
        fee = BigInt(chosen.vsize) * q.rates[level]
      }
      return [level, { level, asset: q.chain.nativeAsset, amount: fee, expected: fee, details: { feeRate: q.rates[level].toString() } }]
    }),
  ) as Record<FeeLevel, FeeEstimate>
  const byId = new Map(q.funds.utxos.map((u) => [`${u.txid}:${u.vout}`, u]))
  const inputs = chosen.inputs.map((i) => inputJson(byId.get(i.id) as Spendable['utxos'][number]))
  const outputs: { address: string; value: string; change?: boolean; publicKey?: string; path?: string }[] = [
    { address: q.to, value: chosen.amount.toString() },
  ]
  if (chosen.change > 0n) {
    const { address, publicKey, path } = q.funds.change
    outputs.push({
      address,
      value: chosen.change.toString(),
      change: true,
      ...(publicKey?.length ? { publicKey: bytesToHex(publicKey) } : {}),
      ...(path ? { path } : {}),
    })
  }
  const fingerprint = q.source.kind === 'account' ? q.source.descriptor.origin?.fingerprint : undefined
  return Object.freeze({
    chainId: q.chain.caip2,
    from: q.source.id,
    to: q.to,
    asset: q.chain.nativeAsset,
    amount: chosen.amount,
    feeLevel: q.level,
    fee: {
      ...fees[q.level],
      amount: chosen.fee,
      expected: chosen.fee,
      details: { feeRate: q.rates[q.level].toString(), vsize: chosen.vsize },
    },
    fees,
    createdAt: Date.now(),
    details: {
      network: q.chain.network,
      feeRate: q.rates[q.level].toString(),
      vsize: chosen.vsize,
      tipHeight: q.tipHeight,
      inputs,
      outputs,
      ...(fingerprint === undefined ? {} : { fingerprint }),
    } as { [key: string]: Json },
  })
}

/**
 * Quotes a checked transfer in one call: fee rates, the source's spendable coins (discovering an
 * account) and the tip, read together; the chosen level's rate checked against the ceiling.
 * @throws FeeTooHighError, InsufficientFundsError, DiscoveryLimitError, RpcError
 */
export async function quoteTransfer(call: Call, chain: BitcoinChain, caps: FeeCaps, transfer: CheckedTransfer): Promise<TransferQuote> {
  const { source, to, amount, level, allowUnconfirmed } = transfer
  const [rates, funds, tip] = await Promise.all([
    feeRates(call.backend, caps),
    source.kind === 'account'
      ? call.discovering(() => spendable(call.backend, source, call.limits))
      : spendable(call.backend, source, call.limits),
    rpc('Reading the tip', () => call.backend.tip()),
  ])
  checkFeeRate(rates[level], caps, level)
  return makeQuote({ chain, source, to, amount, level, rates, funds, allowUnconfirmed, tipHeight: checkTip(tip.height) })
}
