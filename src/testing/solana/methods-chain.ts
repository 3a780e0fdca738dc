/**
 * Cluster and slot methods of the local Solana server: getHealth, getVersion, getGenesisHash,
 * getSlot, getBlockHeight, getEpochInfo, getLatestBlockhash, isBlockhashValid,
 * getFeeForMessage, getRecentPrioritizationFees.
 * @module
 * @internal
 */
import { base58 } from '@scure/base'
import { MAX_PROCESSING_AGE } from './ledger.js'
import { invalidParam, invalidParams } from './rpc-errors.js'
import { config, contextSlot, positional, pubkey, str } from './params.js'
import { feeOf, isNonceTransaction, parseMessage } from './wire.js'
import { API_VERSION, FEATURE_SET, withContext, type Method } from './context.js'

const SLOTS_PER_EPOCH = 432_000

const noParams =
  (result: Method): Method =>
  (ctx, params) => {
    positional(params, 0, 0)
    return result(ctx, params)
  }

const slotMethod: Method = ({ ledger }, params) => {
  const [cfg] = positional(params, 0, 1)
  return contextSlot(ledger, config(cfg))
}

const getEpochInfo: Method = ({ ledger }, params) => {
  const [cfg] = positional(params, 0, 1)
  const slot = contextSlot(ledger, config(cfg))
  return {
    absoluteSlot: slot,
    blockHeight: slot,
    epoch: Math.floor(slot / SLOTS_PER_EPOCH),
    slotIndex: slot % SLOTS_PER_EPOCH,
    slotsInEpoch: SLOTS_PER_EPOCH,
    transactionCount: ledger.transactions().length,
  }
}

const getLatestBlockhash: Method = ({ ledger }, params) => {
  const [cfg] = positional(params, 0, 1)
  const slot = contextSlot(ledger, config(cfg))
  const block = ledger.block(slot)!
  return withContext(slot, { blockhash: block.blockhash, lastValidBlockHeight: slot + MAX_PROCESSING_AGE })
}

const isBlockhashValid: Method = ({ ledger }, params) => {
  const [hash, cfgRaw] = positional(params, 1, 2)
  const h = str(hash)
  let bytes: Uint8Array
  try {
    bytes = base58.decode(h)
  } catch {
    throw invalidParam('Invalid')
  }
  if (bytes.length !== 32) throw invalidParam('WrongSize')
  const slot = contextSlot(ledger, config(cfgRaw))
  const made = ledger.blockhashSlot(h)
  return withContext(slot, made !== undefined && made <= slot && slot <= made + MAX_PROCESSING_AGE)
}

const getFeeForMessage: Method = ({ ledger }, params) => {
  const [msg, cfgRaw] = positional(params, 1, 2)
  const b64 = str(msg)
  const slot = contextSlot(ledger, config(cfgRaw))
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) throw invalidParams('invalid base64 encoding')
  let message: ReturnType<typeof parseMessage>
  try {
    message = parseMessage(new Uint8Array(Buffer.from(b64, 'base64')))
  } catch (error) {
    throw invalidParams(`failed to deserialize solana_message::versions::VersionedMessage: ${(error as Error).message}`)
  }
  const asTx = { ...message, signatures: [], bytes: new Uint8Array(), messageBytes: new Uint8Array() }
  const usable = isNonceTransaction(asTx) || ledger.isBlockhashValid(message.recentBlockhash)
  return withContext(slot, usable ? feeOf(message) : null)
}

const getRecentPrioritizationFees: Method = ({ ledger }, params) => {
  const [keys] = positional(params, 0, 1)
  if (keys !== undefined && keys !== null && !Array.isArray(keys)) throw invalidParams('invalid type: expected a sequence of pubkeys.')
  const list = ((keys as unknown[] | null | undefined) ?? []).map(pubkey)
  if (list.length > 128) throw invalidParams('Too many inputs provided; max 128')
  return ledger.prioritizationFees(list)
}

export const CHAIN_METHODS: Readonly<Record<string, Method>> = {
  getHealth: noParams(() => 'ok'),
  getVersion: noParams(() => ({ 'solana-core': API_VERSION, 'feature-set': FEATURE_SET })),
  getGenesisHash: noParams(({ ledger }) => ledger.genesisHash),
  getSlot: slotMethod,
  getBlockHeight: slotMethod,
  getEpochInfo,
  getLatestBlockhash,
  isBlockhashValid,
  getFeeForMessage,
  getRecentPrioritizationFees,
}
