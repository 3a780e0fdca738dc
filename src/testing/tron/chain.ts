/**
 * The local Tron server's chain: blocks (ids as Tron defines them, TaPoS lookups), the TRX
 * ledger (accounts, balances in sun, activation), resources (free, staked energy and
 * bandwidth, recovering over 24 h as java-tron's) and the transactions that landed.
 *
 * Chain parameters default to Tron mainnet's, as set by committee proposals (java-tron's
 * genesis defaults in DynamicPropertiesStore are older): energy 100 sun (Proposal #104 cut
 * it from 210; https://tron.guide/developers/fee-model/), bandwidth 1,000 sun/byte, free
 * bandwidth 600/day, account creation 0.1 TRX (bandwidth) + 1 TRX (TransferContract), fee_limit
 * at most 15,000 TRX.
 * @module
 * @internal
 */
import { randomBytes } from 'node:crypto'
import { bytesToHex, sha256Hex } from './wire.js'
import type { TronChainParameters, TronContractResult } from './types.js'

/** java-tron's BLOCK_PRODUCED_INTERVAL. */
export const BLOCK_MS = 3_000
/** Blocks the solidified block lags the head (19 of 27 SRs confirm, as on mainnet). */
const SOLID_LAG = 19
/** java-tron's resource window: 24 h of 3-second slots. */
export const WINDOW_SLOTS = 28_800
/** Constant.MAXIMUM_TIME_UNTIL_EXPIRATION: 24 h. */
export const MAX_EXPIRATION_MS = 24 * 60 * 60 * 1_000
/** java-tron's TRANSACTION_MAX_BYTE_SIZE. */
export const MAX_TX_BYTES = 500 * 1_024
/** MAX_RESULT_SIZE_IN_TX: bandwidth counts 64 bytes per contract for its result. */
export const RESULT_BYTES = 64
/** Snapshots kept for the solidified views. */
const SNAPSHOTS = 64

/** Tron mainnet's chain parameters (see the module comment). */
export const MAINNET_PARAMETERS: Readonly<TronChainParameters> = Object.freeze({
  energyFee: 100,
  transactionFee: 1_000,
  createAccountFee: 100_000,
  createNewAccountFeeInSystemContract: 1_000_000,
  freeNetLimit: 600,
  maxFeeLimit: 15_000_000_000,
})

/** The other parameters /wallet/getchainparameters lists, with mainnet's values; not used in pricing. */
export const OTHER_PARAMETERS: readonly (readonly [string, number])[] = [
  ['getMaintenanceTimeInterval', 21_600_000],
  ['getAccountUpgradeCost', 9_999_000_000],
  ['getAssetIssueFee', 1_024_000_000],
  ['getWitnessPayPerBlock', 8_000_000],
  ['getCreateNewAccountBandwidthRate', 1],
  ['getAllowCreationOfContracts', 1],
  ['getMaxCpuTimeOfOneTx', 80],
  ['getAllowSameTokenName', 1],
  ['getAllowDelegateResource', 1],
  ['getTotalEnergyLimit', 90_000_000_000],
  ['getAllowTvmTransferTrc10', 1],
  ['getTotalEnergyCurrentLimit', 180_000_000_000],
  ['getAllowMultiSign', 1],
  ['getUpdateAccountPermissionFee', 100_000_000],
  ['getMultiSignFee', 1_000_000],
  ['getAllowTvmConstantinople', 1],
  ['getAllowTvmSolidity059', 1],
  ['getForbidTransferToContract', 1],
  ['getTotalNetLimit', 43_200_000_000],
  ['getAllowTvmIstanbul', 1],
  ['getAllowTvmLondon', 1],
  ['getMemoFee', 1_000_000],
  ['getAllowDynamicEnergy', 1],
  ['getUnfreezeDelayDays', 14],
]

/** An account of the TRX ledger. */
export interface Account {
  /** 41… hex. */
  readonly address: string
  balance: bigint
  readonly createTime: number
  latestOperationTime: number
  /** Free bandwidth used, as of slot `freeNetSlot`. */
  freeNetUsed: number
  freeNetSlot: number
  /** Staked bandwidth: limit, and usage as of `netSlot`. */
  netLimit: number
  netUsed: number
  netSlot: number
  /** Staked energy: limit, and usage as of `energySlot`. */
  energyLimit: number
  energyUsed: number
  energySlot: number
  /** True for a contract account (TRX transfers to it are refused, as getForbidTransferToContract = 1). */
  readonly contract: boolean
}

/** A sealed block. */
export interface Block {
  readonly number: number
  /** 8-byte height ‖ 24 bytes of the header's SHA-256, hex. */
  readonly id: string
  readonly parentId: string
  readonly timestamp: number
  readonly txIds: readonly string[]
  /** The anvil block its state is at. */
  readonly anvilBlock: bigint
  /** Balances and creation times when it was sealed (kept for recent blocks only). */
  accounts?: ReadonlyMap<string, { readonly balance: bigint; readonly createTime: number }>
}

/** A TRC-20 Transfer event. */
export interface TokenTransfer {
  /** 41… hex of the token. */
  readonly token: string
  readonly from: string
  readonly to: string
  readonly value: bigint
}

/** A transaction that landed. */
export interface TxRecord {
  readonly seq: number
  readonly txID: string
  readonly type: 'TransferContract' | 'TriggerSmartContract'
  /** 41… hex. */
  readonly owner: string
  /** TransferContract: recipient and sun. */
  readonly to?: string
  readonly amount?: bigint
  /** TriggerSmartContract: the contract (41… hex). */
  readonly contract?: string
  /** raw_data as java-tron prints it (hex addresses), raw_data_hex, signatures (hex). */
  readonly rawData: Record<string, unknown>
  readonly rawDataHex: string
  readonly signatures: readonly string[]
  blockNumber: number | null
  readonly result: TronContractResult
  /** Sun: energy burn + bandwidth burn + account-creation fees. */
  readonly fee: bigint
  readonly energyUsage: number
  readonly energyFee: bigint
  readonly energyTotal: number
  readonly netUsage: number
  readonly netFee: bigint
  /** Sun the TransferActuator charged for creating the recipient (0 otherwise). */
  readonly createFee: bigint
  /** Return data (hex) of a contract call. */
  readonly contractResult: string
  readonly logs: readonly { readonly address: string; readonly topics: readonly string[]; readonly data: string }[]
  readonly resMessage?: string
  readonly transfers: readonly TokenTransfer[]
}

/** Usage recovered linearly over the 24 h window, as java-tron's ResourceProcessor.increase. */
function recovered(used: number, lastSlot: number, now: number): number {
  if (used <= 0 || now - lastSlot >= WINDOW_SLOTS) return 0
  if (now <= lastSlot) return used
  return Math.round((used * (WINDOW_SLOTS - (now - lastSlot))) / WINDOW_SLOTS)
}

function blockId(number: number, parentId: string, timestamp: number, txIds: readonly string[]): string {
  const hash = sha256Hex(new TextEncoder().encode(`${parentId}|${number}|${timestamp}|${txIds.join(',')}`))
  return number.toString(16).padStart(16, '0') + hash.slice(16)
}

/** The chain: blocks, accounts, transactions. */
export class Chain {
  readonly blocks: Block[] = []
  readonly accounts = new Map<string, Account>()
  readonly txs = new Map<string, TxRecord>()
  /** Landed, not yet sealed. */
  pending: string[] = []
  seq = 0

  constructor(startHeight: number, anvilBlock: bigint) {
    const genesisTime = Math.floor((Date.now() - startHeight * BLOCK_MS) / BLOCK_MS) * BLOCK_MS
    const genesisParent = bytesToHex(randomBytes(32))
    this.blocks.push({
      number: 0,
      id: blockId(0, genesisParent, genesisTime, []),
      parentId: '0'.repeat(64),
      timestamp: genesisTime,
      txIds: [],
      anvilBlock,
    })
    for (let i = 0; i < startHeight; i++) this.seal(anvilBlock)
  }

  get head(): Block {
    return this.blocks[this.blocks.length - 1]!
  }

  get solid(): Block {
    return this.blocks[Math.max(0, this.head.number - SOLID_LAG)]!
  }

  /** The head slot: java-tron's getHeadSlot, (head time − genesis time) / 3 s. */
  get slot(): number {
    return (this.head.timestamp - this.blocks[0]!.timestamp) / BLOCK_MS
  }

  /** Seals one block holding the pending transactions. */
  seal(anvilBlock: bigint): Block {
    const parent = this.head
    const number = parent.number + 1
    const timestamp = parent.timestamp + BLOCK_MS
    const txIds = this.pending
    this.pending = []
    const block: Block = {
      number,
      id: blockId(number, parent.id, timestamp, txIds),
      parentId: parent.id,
      timestamp,
      txIds,
      anvilBlock,
      accounts: new Map([...this.accounts].map(([k, a]) => [k, { balance: a.balance, createTime: a.createTime }])),
    }
    for (const id of txIds) this.txs.get(id)!.blockNumber = number
    this.blocks.push(block)
    const old = this.blocks[number - SNAPSHOTS]
    if (old) delete old.accounts
    return block
  }

  /**
   * TaPoS as java-tron's Manager.validateTapos: the most recent block whose height has these
   * two bytes (6..8 of the 8-byte height) must have these 8 bytes of id (8..16). A block more
   * than 65,536 back has been overwritten by a newer one with the same two bytes.
   */
  taposOk(refBlockBytes: string, refBlockHash: string): boolean {
    if (!/^[0-9a-f]{4}$/.test(refBlockBytes) || !/^[0-9a-f]{16}$/.test(refBlockHash)) return false
    const low = parseInt(refBlockBytes, 16)
    const head = this.head.number
    const number = head - ((head - low) & 0xffff)
    if (number < 0) return false
    return this.blocks[number]!.id.slice(16, 32) === refBlockHash
  }

  account(hex: string): Account | undefined {
    return this.accounts.get(hex)
  }

  /** Creates an account (activation) at the head block's time. */
  create(hex: string, contract = false): Account {
    const now = this.head.timestamp
    const account: Account = {
      address: hex,
      balance: 0n,
      createTime: now,
      latestOperationTime: now,
      freeNetUsed: 0,
      freeNetSlot: 0,
      netLimit: 0,
      netUsed: 0,
      netSlot: 0,
      energyLimit: 0,
      energyUsed: 0,
      energySlot: 0,
      contract,
    }
    this.accounts.set(hex, account)
    return account
  }

  /** The account's resources now (usage recovered to the head slot). */
  resources(account: Account, params: TronChainParameters) {
    const now = this.slot
    const freeNetUsed = recovered(account.freeNetUsed, account.freeNetSlot, now)
    const netUsed = recovered(account.netUsed, account.netSlot, now)
    const energyUsed = recovered(account.energyUsed, account.energySlot, now)
    return {
      freeNetUsed,
      freeNetLimit: params.freeNetLimit,
      netUsed,
      netLimit: account.netLimit,
      energyUsed,
      energyLimit: account.energyLimit,
      freeNetLeft: Math.max(0, params.freeNetLimit - freeNetUsed),
      netLeft: Math.max(0, account.netLimit - netUsed),
      energyLeft: Math.max(0, account.energyLimit - energyUsed),
    }
  }

  /** The block with this number, or undefined. */
  byNumber(n: number): Block | undefined {
    return this.blocks[n]
  }

  byId(id: string): Block | undefined {
    if (!/^[0-9a-f]{64}$/.test(id)) return undefined
    const block = this.blocks[parseInt(id.slice(0, 16), 16)]
    return block && block.id === id ? block : undefined
  }

  /** A record if it is sealed at or below `maxBlock`. */
  sealedTx(txID: string, maxBlock: number): TxRecord | undefined {
    const rec = this.txs.get(txID)
    return rec && rec.blockNumber !== null && rec.blockNumber <= maxBlock ? rec : undefined
  }
}
