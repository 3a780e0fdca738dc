/**
 * The local Tron server's node: it accepts a signed transaction only after the checks java-tron
 * makes (Wallet.broadcastTransaction, Manager.pushTransaction/processTransaction), in their
 * order, and with their response codes and messages:
 *   signature present and ≥ 65 bytes, recovering to the owner (SIGERROR) → TaPoS (TAPOS_ERROR) →
 *   size ≤ 500 KiB (TOO_BIG_TRANSACTION_ERROR) → expiration after the head block and at most
 *   24 h after it, and not before the next slot (TRANSACTION_EXPIRATION_ERROR) → not landed
 *   before (DUP_TRANSACTION_ERROR) → bandwidth (BANDWITH_ERROR) → the contract's own
 *   validation (CONTRACT_VALIDATE_ERROR) → execution.
 * Stricter than java-tron, which rebuilds the transaction from the JSON `raw_data` and ignores
 * `txID` and `raw_data_hex`: here `txID` must be sha256(raw_data_hex) and `raw_data` must encode
 * to `raw_data_hex` (else OTHER_ERROR), so a client whose JSON and bytes disagree is caught.
 *
 * The raw transaction is decoded by tronweb (an implementation independent of coffer's own
 * encoder) and its signatures recovered by tronweb's ecRecover (ethers' secp256k1).
 * TransferContract moves TRX in the server's own ledger; TriggerSmartContract runs on anvil as
 * the owner (impersonated), with the energy limit java-tron gives it
 * (VMActuator.getAccountEnergyLimitWithFixRatio): min(staked energy left + balance / energyFee,
 * fee_limit / energyFee).
 *
 * Energy is EVM gas: the gas anvil's EVM (hardfork cancun) uses, less the 21,000 + calldata
 * intrinsic gas Tron does not charge. TVM's opcode prices are close to the EVM's (a new storage
 * slot costs 20,000 on both, so a TRC-20 transfer to a fresh holder costs about twice as much as
 * to an existing one), but not equal; the contract's dynamic-energy penalty is not modelled
 * (energy_penalty is 0). Out of energy (or any exception other than REVERT) spends the whole
 * energy limit, as java-tron's spendAllEnergy; REVERT spends what was used. Both burn TRX for
 * the energy not covered by staked energy and roll the contract's state back; the bandwidth is
 * charged in every case.
 * @module
 * @internal
 */
import { keccak_256 } from '@noble/hashes/sha3.js'
import { utils as tronUtils } from 'tronweb'
import { decodeEventLog, encodeFunctionData, numberToHex, type Hex } from 'viem'
import { rpcCall } from '../rpc.js'
import { tetherToken } from '../evm/contracts.js'
import {
  MAX_EXPIRATION_MS,
  MAX_TX_BYTES,
  RESULT_BYTES,
  BLOCK_MS,
  type Account,
  type Chain,
  type TokenTransfer,
  type TxRecord,
} from './chain.js'
import type { TronChainParameters, TronContractResult, TronRefusal } from './types.js'
import {
  bytesToHex,
  contractCount,
  evmOf,
  hexToBytes,
  isHex,
  serializedSize,
  sha256Hex,
  splitTransaction,
  toBase58,
  tronOf,
} from './wire.js'

/** What a broadcast answers: Wallet.broadcastTransaction's GrpcAPI.Return and the txid. */
export type BroadcastResult = { ok: true; txID: string } | { ok: false; txID: string | null; code: string; message: string }

/** A transaction in java-tron's JSON form. */
export interface TxJson {
  visible?: boolean
  txID: string
  raw_data: Record<string, unknown>
  raw_data_hex: string
  signature?: string[]
}

class Refused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

const CONTRACT_VALIDATE = (m: string) => new Refused('CONTRACT_VALIDATE_ERROR', `Contract validate error : ${m}`)

/** The EVM side: anvil, with each Tron owner impersonated. */
export class Evm {
  readonly #ready = new Set<string>()
  constructor(readonly url: string) {}

  /** Lets anvil send from `evm` (impersonated, with ETH for gas that Tron never sees). */
  async prepare(evm: string): Promise<void> {
    if (this.#ready.has(evm)) return
    await rpcCall(this.url, 'anvil_impersonateAccount', [evm])
    await rpcCall(this.url, 'anvil_setBalance', [evm, numberToHex(10n ** 30n)])
    this.#ready.add(evm)
  }

  async blockNumber(): Promise<bigint> {
    return BigInt(await rpcCall<string>(this.url, 'eth_blockNumber'))
  }

  /** A call, traced: gas used (intrinsic included), return data, error. */
  async trace(from: string, to: string, data: string, gas: number, block: bigint | 'latest' = 'latest') {
    const tag = block === 'latest' ? block : numberToHex(block)
    const t = await rpcCall<{ gasUsed: string; output?: string; error?: string }>(this.url, 'debug_traceCall', [
      { from, to, data, gas: numberToHex(gas) },
      tag,
      { tracer: 'callTracer' },
    ])
    return { gasUsed: Number(BigInt(t.gasUsed)), output: (t.output ?? '0x').slice(2), error: t.error }
  }

  /** The least gas the call succeeds with (eth_estimateGas), or null when it reverts. */
  async estimate(from: string, to: string, data: string, block: bigint | 'latest' = 'latest'): Promise<number | null> {
    try {
      const tag = block === 'latest' ? block : numberToHex(block)
      return Number(BigInt(await rpcCall<string>(this.url, 'eth_estimateGas', [{ from, to, data }, tag])))
    } catch {
      return null
    }
  }

  /** Sends and mines a transaction; returns its receipt's gas and logs and its trace's output and error. */
  async send(from: string, to: string, data: string, gas: number) {
    await this.prepare(from)
    const hash = await rpcCall<Hex>(this.url, 'eth_sendTransaction', [{ from, to, data, gas: numberToHex(gas) }])
    type Receipt = { status: string; gasUsed: string; logs: { address: string; topics: string[]; data: string }[] }
    // anvil mines on arrival but may answer the receipt a moment later.
    let receipt: Receipt | null = null
    for (let i = 0; i < 500 && !receipt; i++) {
      receipt = await rpcCall<Receipt | null>(this.url, 'eth_getTransactionReceipt', [hash])
      if (!receipt) await new Promise((resolve) => setTimeout(resolve, 10))
    }
    if (!receipt) throw new Error(`anvil gave no receipt for ${hash}`)
    const t = await rpcCall<{ output?: string; error?: string }>(this.url, 'debug_traceTransaction', [hash, { tracer: 'callTracer' }])
    return {
      success: receipt.status === '0x1',
      gasUsed: Number(BigInt(receipt.gasUsed)),
      logs: receipt.logs,
      output: (t.output ?? '0x').slice(2),
      error: t.error,
    }
  }
}

/** Gas the EVM charges before executing (cancun): 21,000 and 16 per non-zero, 4 per zero calldata byte. */
function intrinsicGas(data: Uint8Array): number {
  let gas = 21_000
  for (const b of data) gas += b === 0 ? 4 : 16
  return gas
}

/** The 4-byte selector of a function signature (java-tron's Util.parseMethod). */
export function selector(signature: string): string {
  return bytesToHex(keccak_256(new TextEncoder().encode(signature.replace(/\s+/g, '')))).slice(0, 8)
}

const omitZero = <T extends Record<string, unknown>>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== 0 && v !== 0n && v !== '' && v !== undefined && v !== false)) as T

type Decoded =
  | { type: 'TransferContract'; owner: string; to: string; amount: bigint; raw: Record<string, unknown> }
  | {
      type: 'TriggerSmartContract'
      owner: string
      contract: string
      data: string
      callValue: bigint
      callTokenValue: bigint
      raw: Record<string, unknown>
    }

/** Decodes raw_data bytes with tronweb; the printable raw_data is java-tron's JSON (hex addresses, zero fields omitted). */
function decodeRaw(rawHex: string): Decoded {
  let d: Record<string, unknown> & {
    contract: { parameter: { value: Record<string, unknown>; type_url: string }; Permission_id: number }[]
  }
  let type: 'TransferContract' | 'TriggerSmartContract' = 'TransferContract'
  try {
    d = tronUtils.deserializeTx.deserializeTransaction(type, rawHex)
  } catch (error) {
    const m = /rawDataHex type (\w+)/.exec((error as Error).message)
    if (m?.[1] !== 'TriggerSmartContract') {
      throw m
        ? CONTRACT_VALIDATE(`this local server executes TransferContract and TriggerSmartContract only, not ${m[1]}`)
        : new Refused('OTHER_ERROR', `Error: raw_data cannot be decoded: ${(error as Error).message}`)
    }
    type = 'TriggerSmartContract'
    d = tronUtils.deserializeTx.deserializeTransaction(type, rawHex)
  }
  const c = d.contract[0]!
  if (c.Permission_id) throw CONTRACT_VALIDATE('this local server knows the owner permission only (Permission_id 0)')
  const v = c.parameter.value
  const lower = (x: unknown) => String(x ?? '').toLowerCase()
  const value =
    type === 'TransferContract'
      ? omitZero({ amount: Number(v.amount), owner_address: lower(v.owner_address), to_address: lower(v.to_address) })
      : omitZero({
          data: lower(v.data),
          owner_address: lower(v.owner_address),
          contract_address: lower(v.contract_address),
          call_value: Number(v.call_value),
          call_token_value: Number(v.call_token_value),
          token_id: Number(v.token_id),
        })
  const raw = omitZero({
    contract: [{ parameter: { value, type_url: c.parameter.type_url }, type }],
    ref_block_bytes: lower(d.ref_block_bytes),
    ref_block_hash: lower(d.ref_block_hash),
    expiration: Number(d.expiration),
    fee_limit: Number(d.fee_limit),
    timestamp: Number(d.timestamp),
    data: lower(d.data),
  })
  return type === 'TransferContract'
    ? { type, owner: lower(v.owner_address), to: lower(v.to_address), amount: BigInt(v.amount as number), raw }
    : {
        type,
        owner: lower(v.owner_address),
        contract: lower(v.contract_address),
        data: lower(v.data),
        callValue: BigInt((v.call_value as number) ?? 0),
        callTokenValue: BigInt((v.call_token_value as number) ?? 0),
        raw,
      }
}

/** A contract deployed on anvil and known to the Tron side. */
export interface DeployedContract {
  /** 41… hex. */
  readonly address: string
  readonly name: string
  /** 41… hex of its deployer. */
  readonly origin: string
  readonly bytecode: string
  readonly abi: readonly unknown[]
}

/** The node's state and its rules. */
export class Node {
  readonly refused: TronRefusal[] = []
  readonly contracts = new Map<string, DeployedContract>()
  #queue: Promise<unknown> = Promise.resolve()

  constructor(
    readonly chain: Chain,
    readonly evm: Evm,
    readonly params: TronChainParameters,
  ) {}

  /** Runs `fn` after every earlier state change (broadcasts and seals go one at a time). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn)
    this.#queue = run.catch(() => undefined)
    return run
  }

  /** Seals a block (pending transactions go in it). */
  seal(): Promise<void> {
    return this.exclusive(async () => {
      this.chain.seal(await this.evm.blockNumber())
    })
  }

  /** POST /wallet/broadcasttransaction's body. */
  broadcastJson(body: Record<string, unknown>): Promise<BroadcastResult> {
    return this.exclusive(async () => {
      let txID: string | null = typeof body.txID === 'string' ? body.txID.toLowerCase() : null
      try {
        const raw = body.raw_data
        if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Refused('OTHER_ERROR', 'Error: no raw_data')
        let rawHex: string
        try {
          const pb = tronUtils.transaction.txJsonToPb({ ...body, visible: body.visible === true })
          rawHex = tronUtils.transaction.txPbToRawDataHex(pb).toLowerCase()
        } catch (error) {
          throw new Refused('OTHER_ERROR', `Error: raw_data cannot be encoded: ${(error as Error).message}`)
        }
        if (body.raw_data_hex !== undefined) {
          if (!isHex(body.raw_data_hex)) throw new Refused('OTHER_ERROR', 'Error: raw_data_hex is not hex')
          if (body.raw_data_hex.toLowerCase() !== rawHex)
            throw new Refused('OTHER_ERROR', 'Error: raw_data does not encode to raw_data_hex (this local server checks that they agree)')
        }
        const id = sha256Hex(hexToBytes(rawHex))
        if (txID !== null && txID !== id)
          throw new Refused(
            'OTHER_ERROR',
            `Error: txID ${txID.slice(0, 64)} is not sha256(raw_data_hex) ${id} (this local server checks it)`,
          )
        txID = id
        const sigs = body.signature
        if (sigs !== undefined && (!Array.isArray(sigs) || !sigs.every((s) => isHex(s))))
          throw new Refused('OTHER_ERROR', 'Error: signature must be an array of hex strings')
        return await this.accept(
          rawHex,
          ((sigs as string[] | undefined) ?? []).map((s) => s.toLowerCase()),
        )
      } catch (error) {
        return this.refuse(txID, error)
      }
    })
  }

  /** POST /wallet/broadcasthex's `transaction`: a serialized signed Transaction. */
  broadcastHex(hex: string): Promise<BroadcastResult> {
    return this.exclusive(async () => {
      let txID: string | null = null
      try {
        const { raw, signatures } = splitTransaction(hexToBytes(hex))
        txID = sha256Hex(raw)
        return await this.accept(bytesToHex(raw), signatures.map(bytesToHex))
      } catch (error) {
        return this.refuse(txID, error)
      }
    })
  }

  private refuse(txID: string | null, error: unknown): BroadcastResult {
    const r =
      error instanceof Refused
        ? { code: error.code, message: error.message }
        : { code: 'OTHER_ERROR', message: `Error: ${(error as Error)?.message ?? String(error)}` }
    this.refused.push({ txID, ...r })
    return { ok: false, txID, ...r }
  }

  /** The checks and the execution; throws Refused. */
  private async accept(rawHex: string, signatures: string[]): Promise<BroadcastResult> {
    const chain = this.chain
    const params = this.params
    const rawBytes = hexToBytes(rawHex)
    const txID = sha256Hex(rawBytes)
    if (contractCount(rawBytes) !== 1) throw CONTRACT_VALIDATE('act size should be exactly 1, this is extend feature')
    const tx = decodeRaw(rawHex)
    const raw = tx.raw as { ref_block_bytes?: string; ref_block_hash?: string; expiration?: number; fee_limit?: number }
    const head = chain.head

    // Wallet.broadcastTransaction: expiration against the next slot, before anything else.
    if ((raw.expiration ?? 0) < head.timestamp + BLOCK_MS) throw new Refused('TRANSACTION_EXPIRATION_ERROR', 'Transaction expired')
    // TransactionCapsule.validatePubSignature / checkWeight (the owner permission: one key, threshold 1).
    if (signatures.length === 0) throw new Refused('SIGERROR', 'Validate signature error: miss sig or contract')
    if (signatures.length > 1)
      throw new Refused(
        'SIGERROR',
        `Validate signature error: Signature count is ${signatures.length} more than key counts of permission : 1`,
      )
    const sig = signatures[0]!
    if (sig.length < 130) throw new Refused('SIGERROR', `Validate signature error: Signature size is ${sig.length / 2}`)
    let signer: string
    try {
      signer = tronUtils.crypto.ecRecover(txID, sig.slice(0, 130)).toLowerCase()
    } catch (error) {
      throw new Refused('SIGERROR', `Validate signature error: ${(error as Error).message.split('\n')[0]}`)
    }
    if (signer !== tx.owner)
      throw new Refused(
        'SIGERROR',
        `Validate signature error: ${sig} is signed by ${toBase58(signer)} but it is not contained of permission.`,
      )
    // Manager.validateTapos, validateCommon, validateDup.
    if (!chain.taposOk(raw.ref_block_bytes ?? '', raw.ref_block_hash ?? '')) throw new Refused('TAPOS_ERROR', 'Tapos check error.')
    const size = serializedSize(
      rawBytes.length,
      signatures.map((s) => s.length / 2),
    )
    if (size + 2 * RESULT_BYTES > MAX_TX_BYTES)
      throw new Refused(
        'TOO_BIG_TRANSACTION_ERROR',
        `Too big transaction with result, TxId ${txID}, the size is ${size} bytes, maxTxSize ${MAX_TX_BYTES}`,
      )
    const expiration = raw.expiration ?? 0
    if (expiration <= head.timestamp || expiration > head.timestamp + MAX_EXPIRATION_MS)
      throw new Refused('TRANSACTION_EXPIRATION_ERROR', 'Transaction expired')
    if (chain.txs.has(txID)) throw new Refused('DUP_TRANSACTION_ERROR', 'Dup transaction.')

    // BandwidthProcessor.consume: decided here, applied once the contract validates.
    const owner = chain.account(tx.owner)
    if (!owner) throw CONTRACT_VALIDATE(`account [${toBase58(tx.owner)}] does not exist`)
    const bytes = size + RESULT_BYTES
    const res = chain.resources(owner, params)
    const createsAccount = tx.type === 'TransferContract' && !chain.account(tx.to)
    let net: { kind: 'staked' | 'free' | 'burn'; fee: bigint }
    if (createsAccount) {
      if (bytes <= res.netLeft) net = { kind: 'staked', fee: 0n }
      else if (owner.balance >= BigInt(params.createAccountFee)) net = { kind: 'burn', fee: BigInt(params.createAccountFee) }
      else throw new Refused('BANDWITH_ERROR', 'Account resource insufficient error.')
    } else if (bytes <= res.netLeft) net = { kind: 'staked', fee: 0n }
    else if (bytes <= res.freeNetLeft) net = { kind: 'free', fee: 0n }
    else if (owner.balance >= BigInt(bytes * params.transactionFee)) net = { kind: 'burn', fee: BigInt(bytes * params.transactionFee) }
    else throw new Refused('BANDWITH_ERROR', 'Account resource insufficient error.')
    const balanceAfterNet = owner.balance - net.fee
    const applyNet = () => {
      const slot = chain.slot
      if (net.kind === 'staked') {
        owner.netUsed = res.netUsed + bytes
        owner.netSlot = slot
      } else if (net.kind === 'free') {
        owner.freeNetUsed = res.freeNetUsed + bytes
        owner.freeNetSlot = slot
      }
      owner.balance -= net.fee
      owner.latestOperationTime = head.timestamp
    }
    const netReceipt = { netUsage: net.kind === 'burn' ? 0 : bytes, netFee: net.fee }

    let record: Omit<TxRecord, 'seq' | 'txID' | 'rawData' | 'rawDataHex' | 'signatures' | 'blockNumber'>
    if (tx.type === 'TransferContract') {
      // TransferActuator.validate / execute.
      const to = chain.account(tx.to)
      if (tx.to === tx.owner) throw CONTRACT_VALIDATE('Cannot transfer TRX to yourself.')
      if (tx.amount <= 0n) throw CONTRACT_VALIDATE('Amount must be greater than 0.')
      if (to?.contract) throw CONTRACT_VALIDATE('Cannot transfer TRX to a smartContract.')
      const createFee = to ? 0n : BigInt(params.createNewAccountFeeInSystemContract)
      if (balanceAfterNet < tx.amount + createFee) throw CONTRACT_VALIDATE('Validate TransferContract error, balance is not sufficient.')
      applyNet()
      const recipient = to ?? chain.create(tx.to)
      owner.balance -= tx.amount + createFee
      recipient.balance += tx.amount
      record = {
        type: 'TransferContract',
        owner: tx.owner,
        to: tx.to,
        amount: tx.amount,
        result: 'SUCCESS',
        fee: net.fee + createFee,
        energyUsage: 0,
        energyFee: 0n,
        energyTotal: 0,
        ...netReceipt,
        createFee,
        contractResult: '',
        logs: [],
        transfers: [],
      }
    } else {
      // VMActuator.validate / call / execute.
      if (!this.contracts.has(tx.contract)) throw CONTRACT_VALIDATE('No contract or not a smart contract')
      const feeLimit = raw.fee_limit ?? 0
      if (feeLimit < 0 || feeLimit > params.maxFeeLimit) throw CONTRACT_VALIDATE(`feeLimit must be >= 0 and <= ${params.maxFeeLimit}`)
      if (tx.callValue !== 0n || tx.callTokenValue !== 0n)
        throw CONTRACT_VALIDATE('this local server does not send TRX or TRC-10 into contracts (call_value and call_token_value must be 0)')
      applyNet()
      const fee = BigInt(params.energyFee)
      const energyLeft = res.energyLeft
      const energyLimit = Math.min(energyLeft + Number(balanceAfterNet / fee), Math.floor(feeLimit / params.energyFee))
      const data = hexToBytes(tx.data)
      const intrinsic = intrinsicGas(data)
      const out = await this.evm.send(evmOf(tx.owner), evmOf(tx.contract), `0x${tx.data}`, intrinsic + energyLimit)
      let result: TronContractResult = 'SUCCESS'
      let energyTotal = out.gasUsed - intrinsic
      let resMessage: string | undefined
      if (!out.success) {
        if (out.error === 'execution reverted') {
          result = 'REVERT'
          resMessage = 'REVERT opcode executed'
        } else {
          result = 'OUT_OF_ENERGY'
          energyTotal = energyLimit
          resMessage = `Not enough energy: ${out.error ?? 'out of energy'}`
        }
      }
      const staked = Math.min(energyTotal, energyLeft)
      const energyFee = BigInt(energyTotal - staked) * fee
      if (staked > 0) {
        owner.energyUsed = res.energyUsed + staked
        owner.energySlot = chain.slot
      }
      owner.balance -= energyFee
      const transfers: TokenTransfer[] = []
      if (out.success) {
        for (const log of out.logs) {
          try {
            const ev = decodeEventLog({ abi: tetherToken.abi, data: log.data as Hex, topics: log.topics as [Hex] })
            if (ev.eventName === 'Transfer') {
              const a = ev.args as { from: string; to: string; value: bigint }
              transfers.push({ token: tronOf(log.address), from: tronOf(a.from), to: tronOf(a.to), value: a.value })
            }
          } catch {
            // not an event of the fixture's ABI
          }
        }
      }
      record = {
        type: 'TriggerSmartContract',
        owner: tx.owner,
        contract: tx.contract,
        result,
        fee: net.fee + energyFee,
        energyUsage: staked,
        energyFee,
        energyTotal,
        ...netReceipt,
        createFee: 0n,
        contractResult: out.output,
        logs: out.success
          ? out.logs.map((l) => ({
              address: l.address.slice(2).toLowerCase(),
              topics: l.topics.map((t) => t.slice(2)),
              data: l.data.slice(2),
            }))
          : [],
        ...(resMessage === undefined ? {} : { resMessage }),
        transfers,
      }
    }
    chain.txs.set(txID, {
      ...record,
      seq: ++chain.seq,
      txID,
      rawData: tx.raw,
      rawDataHex: rawHex,
      signatures,
      blockNumber: null,
    })
    chain.pending.push(txID)
    return { ok: true, txID }
  }

  /**
   * A constant call (triggerconstantcontract, estimateenergy) at `block` (the head's state, or a
   * sealed block's): energy used, return data, and the error. Throws Refused for validation
   * failures.
   */
  async constantCall(owner: string, contract: string, data: string, block: bigint | 'latest') {
    if (!this.contracts.has(contract)) throw CONTRACT_VALIDATE('Smart contract is not exist.')
    const bytes = hexToBytes(data)
    const intrinsic = intrinsicGas(bytes)
    await this.evm.prepare(evmOf(owner))
    const t = await this.evm.trace(evmOf(owner), evmOf(contract), `0x${data}`, intrinsic + 100_000_000, block)
    return { energyUsed: Math.max(0, t.gasUsed - intrinsic), output: t.output, error: t.error, intrinsic }
  }

  /** The least energy the call succeeds with, or null when it fails (java-tron's estimateenergy binary search). */
  async estimateEnergy(owner: string, contract: string, data: string, block: bigint | 'latest'): Promise<number | null> {
    if (!this.contracts.has(contract)) throw CONTRACT_VALIDATE('Smart contract is not exist.')
    await this.evm.prepare(evmOf(owner))
    const gas = await this.evm.estimate(evmOf(owner), evmOf(contract), `0x${data}`, block)
    return gas === null ? null : gas - intrinsicGas(hexToBytes(data))
  }

  /** balanceOf(holder) of a TRC-20 (41… hex both) at `block`. */
  async tokenBalance(token: string, holder: string, block: bigint | 'latest'): Promise<bigint> {
    const data = encodeFunctionData({ abi: tetherToken.abi, functionName: 'balanceOf', args: [evmOf(holder)] })
    const tag = block === 'latest' ? block : numberToHex(block)
    return BigInt(await rpcCall<string>(this.evm.url, 'eth_call', [{ to: evmOf(token), data }, tag]))
  }

  /** Builds (tronweb) and signs a transaction with `privateKey`, as a client would. */
  build(privateKey: string, type: 'TransferContract' | 'TriggerSmartContract', value: Record<string, unknown>, feeLimit?: number): TxJson {
    const head = this.chain.head
    const rawData: Record<string, unknown> = {
      contract: [{ parameter: { value, type_url: `type.googleapis.com/protocol.${type}` }, type }],
      ref_block_bytes: head.number.toString(16).padStart(16, '0').slice(12, 16),
      ref_block_hash: head.id.slice(16, 32),
      expiration: head.timestamp + 60_000,
      timestamp: head.timestamp,
      ...(feeLimit === undefined ? {} : { fee_limit: feeLimit }),
    }
    const tx: TxJson = { visible: false, txID: '', raw_data: rawData, raw_data_hex: '' }
    const pb = tronUtils.transaction.txJsonToPb(tx)
    tx.txID = tronUtils.transaction.txPbToTxID(pb).replace(/^0x/, '')
    tx.raw_data_hex = tronUtils.transaction.txPbToRawDataHex(pb).toLowerCase()
    return tronUtils.crypto.signTransaction(privateKey, tx) as unknown as TxJson
  }

  /** Builds, signs and broadcasts; throws when refused or when a contract call does not succeed. */
  async submit(privateKey: string, type: 'TransferContract' | 'TriggerSmartContract', value: Record<string, unknown>, what: string) {
    const tx = this.build(privateKey, type, value, type === 'TriggerSmartContract' ? 1_000_000_000 : undefined)
    const r = await this.broadcastJson(tx as unknown as Record<string, unknown>)
    if (!r.ok) throw new Error(`tron-server: ${what} was refused: ${r.code} ${r.message}`)
    const rec = this.chain.txs.get(r.txID)!
    if (rec.result !== 'SUCCESS') throw new Error(`tron-server: ${what} failed: ${rec.result}`)
    return r.txID
  }

  /** The owner's resources are unrelated to anvil: the account of `hex`, or throws. */
  requireAccount(hex: string, what: string): Account {
    const a = this.chain.account(hex)
    if (!a) throw new Error(`tron-server: ${what}: account ${toBase58(hex)} does not exist (send it TRX first)`)
    return a
  }
}
