/** Shared setup for the Tron transaction tests: vault signers, a client on the local server, and a builder/signer pair. */
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { TronWeb, utils as tronUtils } from 'tronweb'
import { Vault, memoryStorage } from 'coffer/vault'
import { tron, type TronAdapter, type TronAdapterOptions } from 'coffer/tron'
import type { SignedTransaction, UnsignedTransaction } from '../../../src/chains/adapter.js'
import type { Secp256k1Signer } from 'coffer/keys'
import type { ChainId } from '../../../src/core/caip.js'
import { tronChainId, trxAssetId } from '../../../src/chains/tron/networks.js'
import type { TronSigningToken } from '../../../src/chains/tron/signing.js'

const FAST_KDF = { name: 'pbkdf2-sha256', iterations: 600_000 } as const
const MNEMONIC = 'legal winner thank year wave sausage worth useful legal winner thank yellow'

/** `count` Tron signers of one vault (m/44'/195'/0'/0/i). */
export async function tronSigners(count: number): Promise<Secp256k1Signer[]> {
  const vault = await Vault.create({ storage: memoryStorage(), password: 'test', kdf: FAST_KDF })
  const { id } = await vault.addMnemonic({ mnemonic: MNEMONIC })
  const signers: Secp256k1Signer[] = []
  for (let index = 0; index < count; index++) signers.push(await vault.getSigner({ secretId: id, chain: 'tron', index }))
  return signers
}

/** The chain id, native asset and token list a Tron adapter on a server would hold. */
export function chainFacts(
  genesisBlockId: string,
  tokens: readonly { address: string; symbol: string; decimals: number }[],
): { chainId: ChainId; native: ReturnType<typeof trxAssetId>; tokens: TronSigningToken[] } {
  const chainId = tronChainId(genesisBlockId)
  return {
    chainId,
    native: trxAssetId(chainId),
    tokens: tokens.map((t) => ({ contract: t.address, symbol: t.symbol, decimals: t.decimals })),
  }
}

/** An adapter on a local server: its chain, its URL, its TRC-20s. */
export function localTronAdapter(
  server: { readonly url: string; readonly genesisBlockId: string; readonly tokens: readonly TronServerToken[] },
  options: Partial<TronAdapterOptions> = {},
): TronAdapter {
  return tron({
    chain: tronChainId(server.genesisBlockId),
    apiUrls: [server.url],
    tokens: server.tokens.map((t) => ({ address: t.address, symbol: t.symbol, decimals: t.decimals, name: t.name, family: t.family })),
    ...options,
  })
}

/** A TRC-20 a local server deployed (what {@link localTronAdapter} lists). */
interface TronServerToken {
  readonly address: string
  readonly symbol: string
  readonly decimals: number
  readonly name: string
  readonly family: string
}

/** What tronweb read from a signed transaction. */
export interface TronwebReading {
  readonly type: 'TransferContract' | 'TriggerSmartContract'
  readonly owner: string
  /** The TRX recipient, or the TRC-20 transfer's `to`. */
  readonly to: string
  readonly amount: bigint
  /** The TRC-20 contract called (TriggerSmartContract). */
  readonly contract?: string
  readonly feeLimit: bigint
  readonly expiration: number
}

/**
 * Reads a signed transaction with tronweb only (an implementation independent of coffer's encoder)
 * and checks it: the wire form is raw_data + one 65-byte signature, txID = sha256(raw_data), the
 * signature (v 27/28) recovers to `signed.from`, the contract's owner is the sender, and when the
 * unsigned transaction is given, its recipient, amount, contract (TRC-20) and fee_limit ≤ fee are
 * the summary's. Throws a plain Error naming the first difference.
 */
export function checkWithTronweb(signed: SignedTransaction, unsigned?: UnsignedTransaction): TronwebReading {
  const fail = (what: string): never => {
    throw new Error(`tronweb check of ${signed.hash}: ${what}`)
  }
  const bytes = hexToBytes(signed.raw)
  if (bytes[0] !== 0x0a) fail('no raw_data field first')
  let length = 0
  let at = 1
  for (let shift = 0; ; shift += 7) {
    const b = bytes[at++]!
    length |= (b & 0x7f) << shift
    if ((b & 0x80) === 0) break
  }
  const rawHex = bytesToHex(bytes.subarray(at, at + length))
  const rest = bytes.subarray(at + length)
  if (rest.length !== 67 || rest[0] !== 0x12 || rest[1] !== 65) fail('not exactly one 65-byte signature after raw_data')
  const sigHex = bytesToHex(rest.subarray(2))
  if (bytesToHex(sha256(hexToBytes(rawHex))) !== signed.hash) fail('txID is not sha256(raw_data)')
  const v = parseInt(sigHex.slice(128), 16)
  if (v !== 27 && v !== 28) fail(`v is ${v}, not 27 or 28`)
  const recovered = TronWeb.address.fromHex(tronUtils.crypto.ecRecover(signed.hash, sigHex))
  if (recovered !== signed.from) fail(`the signature recovers to ${recovered}, not ${signed.from}`)
  const decode = (type: 'TransferContract' | 'TriggerSmartContract') =>
    tronUtils.deserializeTx.deserializeTransaction(type, rawHex) as {
      contract: { parameter: { value: Record<string, unknown> }; Permission_id?: number }[]
      fee_limit?: number
      expiration: number
    }
  let type: 'TransferContract' | 'TriggerSmartContract' = 'TransferContract'
  let tx: ReturnType<typeof decode>
  try {
    tx = decode(type)
  } catch {
    type = 'TriggerSmartContract'
    tx = decode(type)
  }
  if (tx.contract.length !== 1) fail(`${tx.contract.length} contracts`)
  const c = tx.contract[0]!
  if (c.Permission_id) fail(`permission ${c.Permission_id}`)
  const value = c.parameter.value
  const base58 = (hex: unknown) => TronWeb.address.fromHex(String(hex)) as string
  const owner = base58(value.owner_address)
  if (owner !== signed.from) fail(`the owner is ${owner}, not ${signed.from}`)
  let reading: TronwebReading
  if (type === 'TransferContract') {
    reading = {
      type,
      owner,
      to: base58(value.to_address),
      amount: BigInt(String(value.amount)),
      feeLimit: BigInt(tx.fee_limit ?? 0),
      expiration: Number(tx.expiration),
    }
  } else {
    const data = String(value.data)
    if (data.slice(0, 8).toLowerCase() !== 'a9059cbb') fail('the call is not transfer(address,uint256)')
    if (data.length !== 8 + 128) fail('the call data is not exactly transfer(to, amount)')
    const call = tronUtils.abi.decodeParams(['to', 'amount'], ['address', 'uint256'], `0x${data.slice(8)}`, false) as {
      to: string
      amount: { toString(): string }
    }
    if (value.call_value || value.call_token_value) fail('the call sends TRX or a TRC-10 along')
    reading = {
      type,
      owner,
      to: base58(call.to.replace(/^0x/, '41')),
      amount: BigInt(call.amount.toString()),
      contract: base58(value.contract_address),
      feeLimit: BigInt(tx.fee_limit ?? 0),
      expiration: Number(tx.expiration),
    }
  }
  if (unsigned) {
    const { summary, payload } = unsigned
    if (reading.to !== summary.to) fail(`the recipient is ${reading.to}, the summary says ${summary.to}`)
    if (String(reading.amount) !== summary.amount) fail(`the amount is ${reading.amount}, the summary says ${summary.amount}`)
    if (reading.feeLimit > BigInt(summary.fee)) fail(`fee_limit ${reading.feeLimit} is above the summary's fee ${summary.fee}`)
    if (reading.expiration !== payload.expiration) fail('the expiration is not the payload’s')
    const contract = summary.asset.split('/trc20:')[1]
    if ((contract === undefined) !== (type === 'TransferContract')) fail(`a ${type} for ${summary.asset}`)
    if (contract !== undefined && reading.contract !== contract) fail(`the contract called is ${reading.contract}, not ${contract}`)
  }
  return reading
}

/**
 * Makes every signature `adapter` produces (signTransaction, and sendTransfer through it) pass
 * {@link checkWithTronweb} first; adds each reading to `readings` (returned), in order.
 */
export function verifyEverySignature(adapter: TronAdapter, readings: TronwebReading[] = []): TronwebReading[] {
  const sign = adapter.signTransaction.bind(adapter)
  // An own property shadows the prototype's method: sendTransfer calls this.signTransaction.
  Object.defineProperty(adapter, 'signTransaction', {
    configurable: true,
    value: async (unsigned: UnsignedTransaction, signer: Parameters<TronAdapter['signTransaction']>[1]) => {
      const signed = await sign(unsigned, signer)
      readings.push(checkWithTronweb(signed, unsigned))
      return signed
    },
  })
  return readings
}

/** The mnemonic of {@link tronSigners}' vault (a public test vector: never fund it). */
export const TRON_TEST_MNEMONIC = MNEMONIC
