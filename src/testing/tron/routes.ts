/**
 * The HTTP API of the local Tron server, in java-tron's and TronGrid's shapes:
 *   /wallet/{getnowblock, getblock, getblockbynum, getblockbyid, getaccount, getaccountresource,
 *   getchainparameters, getcontract, triggerconstantcontract, estimateenergy,
 *   broadcasttransaction, broadcasthex, gettransactionbyid, gettransactioninfobyid},
 *   /walletsolidity/{getnowblock, getblock, getblockbynum, getblockbyid, getaccount,
 *   triggerconstantcontract, estimateenergy, gettransactionbyid, gettransactioninfobyid}
 *   (the solidified block, 19 behind the head), and TronGrid's v1 GET /v1/accounts/:address,
 *   /v1/accounts/:address/transactions, /v1/accounts/:address/transactions/trc20.
 * /wallet/* take POST JSON or GET query parameters, as java-tron's servlets do; `visible: true`
 * switches addresses to base58 in both directions. Zero-valued fields are omitted from answers,
 * as java-tron's JsonFormat omits them (an account with no TRX has no `balance`).
 * @module
 * @internal
 */
import { BLOCK_MS, OTHER_PARAMETERS, WINDOW_SLOTS, type Block, type Chain, type TxRecord } from './chain.js'
import type { Node } from './node.js'
import { selector } from './node.js'
import type { LocalTronToken } from './types.js'
import { fromBase58, isHex, parseAddress, sha256Hex, toBase58, utf8Hex } from './wire.js'

/** An answer before it is serialized. */
export interface Reply {
  readonly status: number
  readonly body: unknown
}

type Params = Record<string, unknown>
type Json = Record<string, unknown>

const ok = (body: unknown): Reply => ({ status: 200, body })
/** Util.printErrorMsg: `{"Error": "<exception class> : <message>"}`. */
const javaError = (message: string, cls = 'java.lang.IllegalArgumentException'): Reply => ok({ Error: `class ${cls} : ${message}` })
const v1Error = (error: string, status = 400): Reply => ({ status, body: { success: false, error, statusCode: status } })

/** Witness of every local block (a fixed, keyless address). */
const WITNESS = '41' + '7e5f4552091a69125d5dfcb7b8c2659029395bdf'

/** Drops zero, empty and undefined fields, as JsonFormat does for proto3 defaults. */
function omitZero<T extends Json>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== 0 && v !== 0n && v !== '' && v !== undefined && v !== false)) as T
}

const isVisible = (p: Params): boolean => p.visible === true || p.visible === 'true'
const addr = (hex: string, visible: boolean): string => (visible ? toBase58(hex) : hex)
const msg = (text: string, visible: boolean): string => (visible ? text : utf8Hex(text))

/** What the routes share. */
export interface RouteContext {
  readonly node: Node
  readonly tokens: readonly LocalTronToken[]
  readonly baseUrl: () => string
}

function rawDataOut(raw: Json, visible: boolean): Json {
  if (!visible) return raw
  const contract = (raw.contract as { parameter: { value: Json } }[]).map((c) => {
    const value = { ...c.parameter.value }
    for (const k of ['owner_address', 'to_address', 'contract_address'])
      if (typeof value[k] === 'string') value[k] = toBase58(value[k] as string)
    return { ...c, parameter: { ...c.parameter, value } }
  })
  return { ...raw, contract }
}

/** A transaction as gettransactionbyid prints it. */
function txJson(rec: TxRecord, visible: boolean): Json {
  return {
    ret: [omitZero({ contractRet: rec.result, fee: Number(rec.createFee) })],
    signature: rec.signatures,
    txID: rec.txID,
    raw_data: rawDataOut(rec.rawData, visible),
    raw_data_hex: rec.rawDataHex,
    ...(visible ? { visible: true } : {}),
  }
}

function blockJson(chain: Chain, b: Block, visible: boolean, detail = true): Json {
  const txs = b.txIds.map((id) => chain.txs.get(id)!)
  return {
    blockID: b.id,
    block_header: {
      raw_data: omitZero({
        number: b.number,
        txTrieRoot: txs.length ? sha256Hex(new TextEncoder().encode(b.txIds.join(''))) : '0'.repeat(64),
        witness_address: addr(WITNESS, visible),
        parentHash: b.parentId,
        version: 32,
        timestamp: b.timestamp,
      }),
      witness_signature: sha256Hex(new TextEncoder().encode(`witness ${b.id}`)).repeat(2) + '00',
    },
    ...(detail && txs.length ? { transactions: txs.map((t) => txJson(t, visible)) } : {}),
  }
}

/** gettransactioninfobyid. */
function infoJson(chain: Chain, rec: TxRecord, visible: boolean): Json {
  const block = chain.byNumber(rec.blockNumber!)!
  const trigger = rec.type === 'TriggerSmartContract'
  return omitZero({
    id: rec.txID,
    fee: Number(rec.fee),
    blockNumber: block.number,
    blockTimeStamp: block.timestamp,
    contractResult: [rec.contractResult],
    contract_address: trigger ? addr(rec.contract!, visible) : undefined,
    receipt: omitZero({
      energy_usage: rec.energyUsage,
      energy_fee: Number(rec.energyFee),
      energy_usage_total: rec.energyTotal,
      net_usage: rec.netUsage,
      net_fee: Number(rec.netFee),
      result: trigger ? rec.result : undefined,
    }),
    log: rec.logs.length
      ? rec.logs.map((l) => ({ address: visible ? toBase58(`41${l.address}`) : l.address, topics: l.topics, data: l.data }))
      : undefined,
    result: rec.result === 'SUCCESS' ? undefined : 'FAILED',
    resMessage: rec.resMessage === undefined ? undefined : msg(rec.resMessage, visible),
  })
}

const slotTime = (chain: Chain, slot: number): number => (slot > 0 ? chain.blocks[0]!.timestamp + slot * BLOCK_MS : 0)

function permission(hex: string, visible: boolean): Json {
  const keys = [{ address: addr(hex, visible), weight: 1 }]
  return {
    owner_permission: { permission_name: 'owner', threshold: 1, keys },
    active_permission: [
      {
        type: 'Active',
        id: 2,
        permission_name: 'active',
        threshold: 1,
        operations: '7fff1fc0033efb0f000000000000000000000000000000000000000000000000',
        keys,
      },
    ],
  }
}

/** getaccount at the head (resources included) or at a sealed block's snapshot (balance only). */
function accountJson(ctx: RouteContext, hex: string, visible: boolean, solid: boolean): Json {
  const chain = ctx.node.chain
  if (solid) {
    const snap = chain.solid.accounts?.get(hex)
    if (!snap) return {}
    return omitZero({
      address: addr(hex, visible),
      balance: Number(snap.balance),
      create_time: snap.createTime,
      ...permission(hex, visible),
    })
  }
  const a = chain.account(hex)
  if (!a) return {}
  const r = chain.resources(a, ctx.node.params)
  return omitZero({
    address: addr(hex, visible),
    balance: Number(a.balance),
    create_time: a.createTime,
    latest_opration_time: a.latestOperationTime,
    free_net_usage: r.freeNetUsed,
    latest_consume_free_time: slotTime(chain, a.freeNetSlot),
    net_usage: r.netUsed,
    latest_consume_time: slotTime(chain, a.netSlot),
    net_window_size: WINDOW_SLOTS,
    account_resource: omitZero({
      energy_usage: r.energyUsed,
      latest_consume_time_for_energy: slotTime(chain, a.energySlot),
      energy_window_size: WINDOW_SLOTS,
    }),
    ...permission(hex, visible),
    ...(a.contract ? { type: 'Contract' } : {}),
  })
}

function accountResourceJson(ctx: RouteContext, hex: string): Json {
  const a = ctx.node.chain.account(hex)
  if (!a) return {}
  const r = ctx.node.chain.resources(a, ctx.node.params)
  return omitZero({
    freeNetUsed: r.freeNetUsed,
    freeNetLimit: r.freeNetLimit,
    NetUsed: r.netUsed,
    NetLimit: r.netLimit,
    TotalNetLimit: 43_200_000_000,
    TotalNetWeight: 26_000_000_000,
    EnergyUsed: r.energyUsed,
    EnergyLimit: r.energyLimit,
    TotalEnergyLimit: 180_000_000_000,
    TotalEnergyWeight: 19_000_000_000,
  })
}

function chainParametersJson(ctx: RouteContext): Json {
  const p = ctx.node.params
  const priced: [string, number][] = [
    ['getCreateAccountFee', p.createAccountFee],
    ['getTransactionFee', p.transactionFee],
    ['getCreateNewAccountFeeInSystemContract', p.createNewAccountFeeInSystemContract],
    ['getEnergyFee', p.energyFee],
    ['getFreeNetLimit', p.freeNetLimit],
    ['getMaxFeeLimit', p.maxFeeLimit],
  ]
  return { chainParameter: [...priced, ...OTHER_PARAMETERS].map(([key, value]) => omitZero({ key, value })) }
}

function contractJson(ctx: RouteContext, hex: string, visible: boolean): Json {
  const c = ctx.node.contracts.get(hex)
  if (!c) return {}
  const cap = (s: unknown) => (typeof s === 'string' && s ? s[0]!.toUpperCase() + s.slice(1) : s)
  const entrys = c.abi.map((e) => {
    const { type, stateMutability, ...rest } = e as Json
    return omitZero({ ...rest, type: cap(type), stateMutability: cap(stateMutability) })
  })
  return {
    bytecode: c.bytecode,
    consume_user_resource_percent: 100,
    name: c.name,
    origin_address: addr(c.origin, visible),
    abi: { entrys },
    origin_energy_limit: 10_000_000,
    contract_address: addr(c.address, visible),
    code_hash: sha256Hex(new TextEncoder().encode(c.bytecode)),
  }
}

/** The call data of a trigger request: function_selector + parameter, or data. */
function callData(p: Params): string {
  if (typeof p.function_selector === 'string' && p.function_selector !== '') {
    const parameter = p.parameter ?? ''
    if (typeof parameter !== 'string' || (parameter !== '' && !isHex(parameter))) throw new Error('parameter must be hex')
    return selector(p.function_selector) + parameter.toLowerCase()
  }
  if (p.data === undefined || p.data === '') return ''
  if (!isHex(p.data)) throw new Error('data must be hex')
  return (p.data as string).toLowerCase()
}

const triggerError = (code: string, message: string, visible: boolean): Reply => ok({ result: { code, message: msg(message, visible) } })

async function trigger(ctx: RouteContext, p: Params, solid: boolean, estimate: boolean): Promise<Reply> {
  const visible = isVisible(p)
  const contract = parseAddress(p.contract_address, visible)
  if (!contract) return triggerError('OTHER_ERROR', 'class java.lang.IllegalArgumentException : Invalid contract_address', visible)
  const owner = p.owner_address === undefined && !estimate ? '41' + '0'.repeat(40) : parseAddress(p.owner_address, visible)
  if (!owner) return triggerError('OTHER_ERROR', 'class java.lang.IllegalArgumentException : Invalid owner_address', visible)
  if (p.call_value !== undefined && p.call_value !== 0)
    return triggerError('CONTRACT_VALIDATE_ERROR', 'this local server does not send TRX into contracts (call_value must be 0)', visible)
  let data: string
  try {
    data = callData(p)
  } catch (error) {
    return triggerError('OTHER_ERROR', `class java.lang.IllegalArgumentException : ${(error as Error).message}`, visible)
  }
  const node = ctx.node
  const block = solid ? node.chain.solid.anvilBlock : 'latest'
  try {
    if (estimate) {
      const energy = await node.estimateEnergy(owner, contract, data, block)
      if (energy === null) return ok({ result: { result: true, message: msg('REVERT opcode executed', visible) } })
      return ok({ result: { result: true }, energy_required: energy })
    }
    const out = await node.constantCall(owner, contract, data, block)
    if (out.error !== undefined && out.error !== 'execution reverted') {
      return triggerError('OTHER_ERROR', `class org.tron.core.vm.program.Program$OutOfEnergyException : ${out.error}`, visible)
    }
    const reverted = out.error === 'execution reverted'
    return ok(
      omitZero({
        result: reverted ? { result: true, message: msg('REVERT opcode executed', visible) } : { result: true },
        energy_used: out.energyUsed,
        constant_result: [out.output],
        transaction: reverted ? { ret: [{ ret: 'FAILED' }] } : { ret: [{}] },
      }),
    )
  } catch (error) {
    const m = (error as Error).message
    if ((error as { code?: string }).code === 'CONTRACT_VALIDATE_ERROR')
      return triggerError('CONTRACT_VALIDATE_ERROR', m.replace(/^Contract validate error : /, ''), visible)
    throw error
  }
}

function blockByNum(ctx: RouteContext, p: Params, max: number, visible: boolean): Reply {
  const n = typeof p.num === 'string' && /^\d+$/.test(p.num) ? Number(p.num) : p.num
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0)
    return javaError('num must be a non-negative integer', 'java.lang.NumberFormatException')
  const b = n <= max ? ctx.node.chain.byNumber(n) : undefined
  return ok(b ? blockJson(ctx.node.chain, b, visible) : {})
}

function blockById(ctx: RouteContext, p: Params, max: number, visible: boolean): Reply {
  if (typeof p.value !== 'string' || !/^[0-9a-fA-F]{64}$/.test(p.value)) return javaError('value must be a 64-hex block id')
  const b = ctx.node.chain.byId(p.value.toLowerCase())
  return ok(b && b.number <= max ? blockJson(ctx.node.chain, b, visible) : {})
}

function getBlock(ctx: RouteContext, p: Params, max: number, visible: boolean): Reply {
  const detail = p.detail === true || p.detail === 'true'
  const chain = ctx.node.chain
  const idOrNum = p.id_or_num
  let b: Block | undefined
  if (idOrNum === undefined || idOrNum === '') b = chain.byNumber(max)
  else if (typeof idOrNum === 'string' && /^\d{1,15}$/.test(idOrNum))
    b = Number(idOrNum) <= max ? chain.byNumber(Number(idOrNum)) : undefined
  else if (typeof idOrNum === 'string' && /^[0-9a-fA-F]{64}$/.test(idOrNum)) {
    b = chain.byId(idOrNum.toLowerCase())
    if (b && b.number > max) b = undefined
  } else return javaError('id_or_num must be a block number or a block id')
  return ok(b ? blockJson(chain, b, visible, detail) : {})
}

function txValue(p: Params): string | null {
  return typeof p.value === 'string' && /^[0-9a-fA-F]{64}$/.test(p.value) ? p.value.toLowerCase() : null
}

/** Answers one /wallet/* or /walletsolidity/* call. */
export async function walletRoute(ctx: RouteContext, solid: boolean, name: string, method: string, p: Params): Promise<Reply | undefined> {
  const chain = ctx.node.chain
  const visible = isVisible(p)
  const max = solid ? chain.solid.number : chain.head.number
  switch (name) {
    case 'getnowblock':
      return ok(blockJson(chain, chain.byNumber(max)!, visible))
    case 'getblock':
      return getBlock(ctx, p, max, visible)
    case 'getblockbynum':
      return blockByNum(ctx, p, max, visible)
    case 'getblockbyid':
      return blockById(ctx, p, max, visible)
    case 'getaccount': {
      const hex = parseAddress(p.address, visible)
      if (!hex)
        return javaError(
          `Invalid address${visible ? ' (base58 expected with visible=true)' : ' (41… hex expected; set visible=true for base58)'}`,
        )
      return ok(accountJson(ctx, hex, visible, solid))
    }
    case 'gettransactionbyid': {
      const id = txValue(p)
      if (!id) return javaError('value must be a 64-hex transaction id')
      const rec = chain.sealedTx(id, max)
      return ok(rec ? txJson(rec, visible) : {})
    }
    case 'gettransactioninfobyid': {
      const id = txValue(p)
      if (!id) return javaError('value must be a 64-hex transaction id')
      const rec = chain.sealedTx(id, max)
      return ok(rec ? infoJson(chain, rec, visible) : {})
    }
    case 'triggerconstantcontract':
      return trigger(ctx, p, solid, false)
    case 'estimateenergy':
      return trigger(ctx, p, solid, true)
  }
  if (solid) return undefined
  switch (name) {
    case 'getaccountresource': {
      const hex = parseAddress(p.address, visible)
      if (!hex) return javaError('Invalid address')
      return ok(accountResourceJson(ctx, hex))
    }
    case 'getchainparameters':
      return ok(chainParametersJson(ctx))
    case 'getcontract': {
      const hex = parseAddress(p.value, visible)
      if (!hex) return javaError('Invalid address')
      return ok(contractJson(ctx, hex, visible))
    }
    case 'broadcasttransaction': {
      if (method !== 'POST') return { status: 405, body: 'HTTP method GET is not supported by this URL' }
      const r = await ctx.node.broadcastJson(p)
      return ok(
        r.ok ? { result: true, txid: r.txID } : omitZero({ code: r.code, txid: r.txID ?? undefined, message: msg(r.message, visible) }),
      )
    }
    case 'broadcasthex': {
      if (method !== 'POST') return { status: 405, body: 'HTTP method GET is not supported by this URL' }
      if (!isHex(p.transaction)) return javaError('transaction must be the hex of a signed Transaction', 'java.lang.NullPointerException')
      const r = await ctx.node.broadcastHex(p.transaction)
      const rec = r.ok ? chain.txs.get(r.txID) : undefined
      return ok({
        result: r.ok,
        code: r.ok ? 'SUCCESS' : r.code,
        message: r.ok ? '' : r.message,
        ...(rec ? { transaction: JSON.stringify(txJson(rec, true)) } : {}),
        txid: r.txID ?? '',
      })
    }
  }
  return undefined
}

// ── TronGrid v1 ─────────────────────────────────────────────────────────────

interface Page {
  limit: number
  after: string | null
  onlyConfirmed: boolean
  onlyUnconfirmed: boolean
  asc: boolean
  min: number
  max: number
}

function boolParam(q: URLSearchParams, snake: string, camel: string): boolean | string {
  const v = q.get(snake) ?? q.get(camel)
  if (v === null) return false
  if (v === 'true' || v === 'false') return v === 'true'
  return `${snake} must be true or false`
}

function pageParams(q: URLSearchParams): Page | string {
  const limitText = q.get('limit')
  const limit = limitText === null ? 20 : Number(limitText)
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) return 'limit must be an integer from 1 to 200'
  const onlyConfirmed = boolParam(q, 'only_confirmed', 'onlyConfirmed')
  const onlyUnconfirmed = boolParam(q, 'only_unconfirmed', 'onlyUnconfirmed')
  if (typeof onlyConfirmed === 'string') return onlyConfirmed
  if (typeof onlyUnconfirmed === 'string') return onlyUnconfirmed
  if (onlyConfirmed && onlyUnconfirmed) return 'only_confirmed and only_unconfirmed cannot be both true'
  const order = q.get('order_by') ?? 'block_timestamp,desc'
  if (!/^(block_timestamp|timestamp|block_number),(asc|desc)$/.test(order))
    return 'order_by must be block_timestamp,asc or block_timestamp,desc'
  const ts = (snake: string, alias: string, fallback: number): number | string => {
    const v = q.get(snake) ?? q.get(alias)
    if (v === null) return fallback
    return /^\d{1,15}$/.test(v) ? Number(v) : `${alias} must be a timestamp in milliseconds`
  }
  const min = ts('min_block_timestamp', 'min_timestamp', 0)
  const max = ts('max_block_timestamp', 'max_timestamp', Number.MAX_SAFE_INTEGER)
  if (typeof min === 'string') return min
  if (typeof max === 'string') return max
  const fp = q.get('fingerprint')
  let after: string | null = null
  if (fp !== null) {
    const decoded = Buffer.from(fp, 'base64url').toString('utf8')
    if (!/^\d+\.\d+\.\d+$/.test(decoded)) return 'invalid fingerprint'
    after = decoded
  }
  return { limit, after, onlyConfirmed, onlyUnconfirmed, asc: order.endsWith(',asc'), min, max }
}

/** Pages `items` (each with a sort key [block, seq, index]) after the fingerprint. */
function paged<T>(
  ctx: RouteContext,
  path: string,
  q: URLSearchParams,
  page: Page,
  items: { key: [number, number, number]; item: T }[],
): Reply {
  const cmp = (a: [number, number, number], b: [number, number, number]) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]
  items.sort((a, b) => (page.asc ? cmp(a.key, b.key) : cmp(b.key, a.key)))
  let start = 0
  if (page.after) {
    const k = page.after.split('.').map(Number) as [number, number, number]
    start = items.findIndex((i) => (page.asc ? cmp(i.key, k) > 0 : cmp(i.key, k) < 0))
    if (start < 0) start = items.length
  }
  const slice = items.slice(start, start + page.limit)
  const more = start + page.limit < items.length
  const meta: Json = { at: Date.now(), page_size: slice.length }
  if (more) {
    const fingerprint = Buffer.from(slice[slice.length - 1]!.key.join('.')).toString('base64url')
    const next = new URLSearchParams(q)
    next.set('fingerprint', fingerprint)
    meta.fingerprint = fingerprint
    meta.links = { next: `${ctx.baseUrl()}${path}?${next.toString()}` }
  }
  return ok({ data: slice.map((i) => i.item), success: true, meta })
}

function sealedRecords(chain: Chain, page: Page): TxRecord[] {
  const solid = chain.solid.number
  return [...chain.txs.values()].filter((r) => {
    if (r.blockNumber === null) return false
    if (page.onlyConfirmed && r.blockNumber > solid) return false
    if (page.onlyUnconfirmed && r.blockNumber <= solid) return false
    const ts = chain.byNumber(r.blockNumber)!.timestamp
    return ts >= page.min && ts <= page.max
  })
}

/** Answers GET /v1/accounts/:address[/transactions[/trc20]]. */
export async function v1Route(ctx: RouteContext, parts: string[], q: URLSearchParams, path: string): Promise<Reply | undefined> {
  const [, accounts, address, what, sub] = parts
  if (accounts !== 'accounts' || address === undefined || parts.length > 5) return undefined
  const hex = parseAddress(address, false, true)
  if (!hex) return v1Error('Invalid address provided')
  const chain = ctx.node.chain
  if (parts.length === 3) {
    const confirmed = boolParam(q, 'only_confirmed', 'onlyConfirmed')
    if (typeof confirmed === 'string') return v1Error(confirmed)
    const account = accountJson(ctx, hex, false, confirmed)
    if (Object.keys(account).length === 0) return ok({ data: [], success: true, meta: { at: Date.now(), page_size: 0 } })
    const trc20: Record<string, string>[] = []
    for (const t of ctx.tokens) {
      const b = await ctx.node.tokenBalance(fromBase58(t.address)!, hex, confirmed ? chain.solid.anvilBlock : 'latest')
      if (b > 0n) trc20.push({ [t.address]: b.toString() })
    }
    return ok({ data: [{ ...account, trc20 }], success: true, meta: { at: Date.now(), page_size: 1 } })
  }
  if (what !== 'transactions') return undefined
  const page = pageParams(q)
  if (typeof page === 'string') return v1Error(page)
  if (sub === undefined) {
    const onlyTo = boolParam(q, 'only_to', 'onlyTo')
    const onlyFrom = boolParam(q, 'only_from', 'onlyFrom')
    if (typeof onlyTo === 'string') return v1Error(onlyTo)
    if (typeof onlyFrom === 'string') return v1Error(onlyFrom)
    const items = sealedRecords(chain, page)
      .filter((r) => {
        const from = r.owner === hex
        const to = r.to === hex || r.transfers.some((t) => t.to === hex)
        const touches = from || to || r.transfers.some((t) => t.from === hex)
        if (onlyTo && !onlyFrom) return to
        if (onlyFrom && !onlyTo) return from
        return touches
      })
      .map((r) => {
        const block = chain.byNumber(r.blockNumber!)!
        return {
          key: [block.number, r.seq, 0] as [number, number, number],
          item: {
            ret: [{ contractRet: r.result, fee: Number(r.fee) }],
            signature: r.signatures,
            txID: r.txID,
            net_usage: r.netUsage,
            raw_data_hex: r.rawDataHex,
            net_fee: Number(r.netFee),
            energy_usage: r.energyUsage,
            blockNumber: block.number,
            block_timestamp: block.timestamp,
            energy_fee: Number(r.energyFee),
            energy_usage_total: r.energyTotal,
            raw_data: r.rawData,
            internal_transactions: [],
          },
        }
      })
    return paged(ctx, path, q, page, items)
  }
  if (sub !== 'trc20') return undefined
  const contractParam = q.get('contract_address')
  let contract: string | null = null
  if (contractParam !== null) {
    contract = parseAddress(contractParam, false, true)
    if (!contract) return v1Error('Invalid contract_address provided')
  }
  const onlyTo = boolParam(q, 'only_to', 'onlyTo')
  const onlyFrom = boolParam(q, 'only_from', 'onlyFrom')
  if (typeof onlyTo === 'string') return v1Error(onlyTo)
  if (typeof onlyFrom === 'string') return v1Error(onlyFrom)
  const items: { key: [number, number, number]; item: Json }[] = []
  for (const r of sealedRecords(chain, page)) {
    r.transfers.forEach((t, i) => {
      if (contract && t.token !== contract) return
      const to = t.to === hex
      const from = t.from === hex
      if (!(onlyTo && !onlyFrom ? to : onlyFrom && !onlyTo ? from : to || from)) return
      const token = ctx.tokens.find((x) => x.address === toBase58(t.token))
      const block = chain.byNumber(r.blockNumber!)!
      items.push({
        key: [block.number, r.seq, i],
        item: {
          transaction_id: r.txID,
          token_info: token
            ? { symbol: token.symbol, address: token.address, decimals: token.decimals, name: token.name }
            : { address: toBase58(t.token) },
          block_timestamp: block.timestamp,
          from: toBase58(t.from),
          to: toBase58(t.to),
          type: 'Transfer',
          value: t.value.toString(),
        },
      })
    })
  }
  return paged(ctx, path, q, page, items)
}
