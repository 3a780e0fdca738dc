/**
 * sendTransaction, simulateTransaction and requestAirdrop of the local Solana server, with
 * Agave's checks and errors: decoding (-32602), sanitizing (-32602 "invalid transaction: …"),
 * signature verification (-32003), preflight simulation (-32002 "Transaction simulation
 * failed: …" with the simulation result as data). With skipPreflight, a transaction that
 * cannot land (expired blockhash, already processed, bad signature) is answered with its
 * signature and silently dropped, as a cluster drops it; one that fails on chain lands with its
 * error and its fee charged.
 * @module
 * @internal
 */
import { base58 } from '@scure/base'
import { MAX_PROCESSING_AGE, type Outcome } from './ledger.js'
import { PREFLIGHT_FAILURE, RpcFailure, SIGNATURE_VERIFICATION_FAILURE, invalidParams } from './rpc-errors.js'
import { bool, commitment, config, contextSlot, encoding, positional, pubkey, str, u64 } from './params.js'
import { parseTransaction, sanitizeError, signatureOf, verifySignatures, type WireTransaction } from './wire.js'
import { uiAccount } from './methods-accounts.js'
import { withContext, type Method } from './context.js'

const PACKET_DATA_SIZE = 1232
const MAX_BASE58_SIZE = 1683
const MAX_BASE64_SIZE = 1644
const TX_TYPE = 'solana_transaction::versioned::VersionedTransaction'

/** Decodes and sanitizes a wire transaction as Agave's decode_and_deserialize does. */
function decodeTransaction(data: unknown, enc: 'base58' | 'base64'): WireTransaction {
  const text = str(data)
  const max = enc === 'base58' ? MAX_BASE58_SIZE : MAX_BASE64_SIZE
  if (text.length > max) {
    throw plain(`${enc} encoded ${TX_TYPE} too large: ${text.length} bytes (max: encoded/raw ${max}/${PACKET_DATA_SIZE})`)
  }
  let bytes: Uint8Array
  if (enc === 'base58') {
    try {
      bytes = base58.decode(text)
    } catch (error) {
      throw plain(`invalid base58 encoding: ${(error as Error).message}`)
    }
  } else {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw plain('invalid base64 encoding: InvalidByte')
    bytes = new Uint8Array(Buffer.from(text, 'base64'))
  }
  if (bytes.length > PACKET_DATA_SIZE) {
    throw plain(`decoded ${TX_TYPE} too large: ${bytes.length} bytes (max: ${PACKET_DATA_SIZE} bytes)`)
  }
  let tx: WireTransaction
  try {
    tx = parseTransaction(bytes)
  } catch (error) {
    throw plain(`failed to deserialize ${TX_TYPE}: ${(error as Error).message}`)
  }
  const why = sanitizeError(tx)
  if (why) throw plain(`invalid transaction: ${why}`)
  return tx
}

/** Agave answers these -32602 errors without the "Invalid params: " prefix. */
function plain(message: string): RpcFailure {
  return new RpcFailure(-32602, message)
}

function simulationValue(outcome: Outcome): Record<string, unknown> {
  return {
    err: outcome.err?.json ?? null,
    logs: outcome.logs,
    accounts: null,
    unitsConsumed: outcome.unitsConsumed,
    returnData: outcome.returnData,
    innerInstructions: null,
    replacementBlockhash: null,
  }
}

const sendTransaction: Method = ({ ledger }, params) => {
  const [data, cfgRaw] = positional(params, 1, 2)
  const cfg = config(cfgRaw)
  const enc = encoding(cfg, ['base58', 'base64'] as const, 'base58')
  const skipPreflight = cfg.skipPreflight === undefined ? false : bool(cfg.skipPreflight)
  if (cfg.maxRetries !== undefined && cfg.maxRetries !== null) u64(cfg.maxRetries, 'usize')
  commitment({ commitment: cfg.preflightCommitment ?? undefined })
  contextSlot(ledger, { commitment: cfg.preflightCommitment ?? 'processed', minContextSlot: cfg.minContextSlot })
  const tx = decodeTransaction(data, enc)
  const signature = signatureOf(tx)
  if (!skipPreflight) {
    if (!verifySignatures(tx)) throw new RpcFailure(SIGNATURE_VERIFICATION_FAILURE, 'Transaction signature verification failure')
    const sim = ledger.simulate(tx, true)
    if (sim.err) {
      throw new RpcFailure(PREFLIGHT_FAILURE, `Transaction simulation failed: ${sim.err.text}`, simulationValue(sim))
    }
  } else if (!verifySignatures(tx)) {
    return signature // dropped by the cluster's signature check
  }
  ledger.execute(tx) // lands (recorded) or is dropped, as on a cluster
  return signature
}

const simulateTransaction: Method = ({ ledger }, params) => {
  const [data, cfgRaw] = positional(params, 1, 2)
  const cfg = config(cfgRaw)
  const enc = encoding(cfg, ['base58', 'base64'] as const, 'base58')
  const sigVerify = cfg.sigVerify === undefined || cfg.sigVerify === null ? false : bool(cfg.sigVerify)
  const replace = cfg.replaceRecentBlockhash === undefined || cfg.replaceRecentBlockhash === null ? false : bool(cfg.replaceRecentBlockhash)
  if (sigVerify && replace) throw plain('sigVerify may not be used with replaceRecentBlockhash')
  const wantInner = cfg.innerInstructions === undefined || cfg.innerInstructions === null ? false : bool(cfg.innerInstructions)
  const accountsCfg = cfg.accounts === undefined || cfg.accounts === null ? undefined : config(cfg.accounts)
  const accountsEnc = accountsCfg ? encoding(accountsCfg, ['base64', 'jsonParsed'] as const, 'base64') : undefined
  if (accountsCfg && !Array.isArray(accountsCfg.addresses)) throw invalidParams('accounts.addresses must be a sequence of pubkeys.')
  const accountAddresses = accountsCfg ? (accountsCfg.addresses as unknown[]).map(pubkey) : []
  const slot = contextSlot(ledger, cfg)
  let tx = decodeTransaction(data, enc)
  let replacementBlockhash: { blockhash: string; lastValidBlockHeight: number } | null = null
  if (replace) {
    const bytes = new Uint8Array(tx.bytes)
    const offset = bytes.length - tx.messageBytes.length + tx.blockhashOffset
    bytes.set(base58.decode(ledger.tip.blockhash), offset)
    tx = parseTransaction(bytes)
    replacementBlockhash = { blockhash: ledger.tip.blockhash, lastValidBlockHeight: ledger.slot + MAX_PROCESSING_AGE }
  }
  if (sigVerify && !verifySignatures(tx)) throw new RpcFailure(SIGNATURE_VERIFICATION_FAILURE, 'Transaction signature verification failure')
  const sim = ledger.simulate(tx, sigVerify)
  const value = simulationValue(sim)
  value.replacementBlockhash = replacementBlockhash
  if (wantInner) value.innerInstructions = sim.innerInstructions ?? []
  if (accountsCfg) {
    value.accounts = accountAddresses.map((address) => {
      const a = sim.postAccounts?.get(address) ?? ledger.read(address)
      return a ? uiAccount(ledger, a, accountsEnc!) : null
    })
  }
  return withContext(slot, value)
}

const requestAirdrop: Method = (ctx, params) => {
  const [key, lamports, cfgRaw] = positional(params, 2, 3)
  const address = pubkey(key)
  const amount = u64(lamports)
  contextSlot(ctx.ledger, config(cfgRaw))
  return ctx.airdrop(address, BigInt(amount))
}

export const SEND_METHODS: Readonly<Record<string, Method>> = { sendTransaction, simulateTransaction, requestAirdrop }
