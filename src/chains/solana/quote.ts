/**
 * Pricing a Solana transfer in two round trips. The first, one JSON-RPC batch, reads the accounts
 * (`from`, `to`, and for tokens both associated token accounts and the mint), the rent-exempt
 * minimum of a plain account (and of a 165-byte token account, from which the size the mint needs
 * is priced: rent is linear in size), the recent prioritization fees of the accounts the transfer
 * writes, and — for Token-2022 — the epoch (transfer fees change at epochs). The second simulates
 * the built transaction (`sigVerify: false`, `replaceRecentBlockhash: true`, at the most compute
 * units and no priority fee) for its compute units: the limit is unitsConsumed × 1.2 + 1,000,
 * at most 1,400,000. A simulation that fails is the node's reason, mapped to
 * InsufficientFundsError or TransactionRejectedError; nothing is signed.
 *
 * Money rules: SOL needs amount + fee, and may not leave `from` between 0 and the rent-exempt
 * minimum (Solana refuses it), nor send a new account less than that minimum. Tokens move with
 * TransferChecked (decimals from the adapter's list, checked against the mint); a recipient
 * without an associated token account gets one (CreateIdempotent, paid by `from`, the rent in the
 * fee); a Token-2022 transfer fee is added on top (TransferCheckedWithFee), so `quote.amount` is
 * exactly what arrives. `'max'` is the whole balance less the fee (SOL) or the whole token balance.
 * @module
 * @internal
 */
import { base64 } from '@scure/base'
import { formatAmount } from '../../core/amount.js'
import {
  DataIntegrityError,
  InsufficientFundsError,
  InvalidAddressError,
  InvalidAmountError,
  InvalidArgumentError,
  RpcError,
  TransactionRejectedError,
  UnknownAssetError,
} from '../../core/errors.js'
import type { FeeLevel, TransferQuote, TransferRequest } from '../adapter.js'
import type { RpcRequest } from './client.js'
import {
  associatedAccountSize,
  decodeMint,
  decodeTokenAccount,
  EXTENSION_TRANSFER_FEE_CONFIG,
  extensionEntries,
  grossForNet,
  isWalletAccount,
  transferFeeAt,
  transferFeeConfig,
  type TransferFeeConfig,
} from './accounts.js'
import type { SolanaCall, SolanaToken } from './context.js'
import { feeLevels, LAMPORTS_PER_SIGNATURE, MAX_COMPUTE_UNIT_LIMIT } from './fees.js'
import { SOL_DECIMALS } from './networks.js'
import { associatedTokenAddress } from './pda.js'
import { SYSTEM_PROGRAM, TOKEN_2022_PROGRAM, tokenProgramAddress } from './programs.js'
import { accountOf, arrayOf, intOf, lamportsOf, malformed, objectOf, resultOf, withContext, type AccountInfo } from './shapes.js'
import { compileMessage, transferInstructions, type TransferPlan } from './transaction.js'

/** A Solana transfer request: the contract's, whose `memo` and `references` (Solana Pay) go into the transaction. */
export type SolanaTransferRequest = TransferRequest

/** What a transfer needs of its mint. */
interface MintFacts {
  readonly decimals: number
  readonly transferFee?: TransferFeeConfig
  /** Bytes of an associated token account the ATA program creates for this mint. */
  readonly ataSize: number
}

/** The mint account of `token` (owned by `program`, checked by the caller) decoded. @throws DataIntegrityError */
function mintFactsOf(token: SolanaToken, program: string, account: AccountInfo): MintFacts {
  const mint = decodeMint(account.data)
  if (!mint?.isInitialized) throw new DataIntegrityError(`The account ${token.mint} of ${token.symbol} is not an initialized mint.`)
  const ataSize = associatedAccountSize(program, account.data)
  if (ataSize === undefined) throw new DataIntegrityError(`The ${token.symbol} mint ${token.mint} has a malformed extension area.`)
  // Only Token-2022 has extensions; a TransferFeeConfig that does not decode is refused, never read as "no fee".
  if (program !== TOKEN_2022_PROGRAM || !extensionEntries(account.data)?.some((e) => e.type === EXTENSION_TRANSFER_FEE_CONFIG))
    return { decimals: mint.decimals, ataSize }
  const transferFee = transferFeeConfig(account.data)
  if (!transferFee) throw new DataIntegrityError(`The ${token.symbol} mint ${token.mint} has a malformed TransferFeeConfig.`)
  return { decimals: mint.decimals, ataSize, transferFee }
}

const sol = (lamports: bigint) => `${formatAmount(lamports, SOL_DECIMALS)} SOL`

/** What the first batch found. */
interface Facts {
  fromAccount: AccountInfo | null
  toAccount: AccountInfo | null
  rent0: bigint
  rentOf: (size: number) => bigint
  prioritizationFees: unknown
  token?: {
    info: SolanaToken
    program: string
    mint: MintFacts
    sourceAccount: string
    destinationAccount: string
    balance: bigint
    createsRecipientAccount: boolean
    epoch: bigint
  }
}

async function readFacts(call: SolanaCall, request: SolanaTransferRequest, token: SolanaToken | undefined): Promise<Facts> {
  const { from, to } = request
  const program = token ? tokenProgramAddress(token.program) : SYSTEM_PROGRAM
  const sourceAccount = token ? associatedTokenAddress(from, token.mint, program) : from
  const destinationAccount = token ? associatedTokenAddress(to, token.mint, program) : to
  const keys = token ? [from, to, sourceAccount, destinationAccount, token.mint] : [from, to]
  const writable = token ? [from, sourceAccount, destinationAccount] : [from, to]
  const requests: RpcRequest[] = [
    { method: 'getMultipleAccounts', params: [keys, { encoding: 'base64', commitment: call.commitment }] },
    { method: 'getMinimumBalanceForRentExemption', params: [0, { commitment: call.commitment }] },
    { method: 'getRecentPrioritizationFees', params: [writable] },
  ]
  if (token) requests.push({ method: 'getMinimumBalanceForRentExemption', params: [165, { commitment: call.commitment }] })
  if (token?.program === 'token-2022') requests.push({ method: 'getEpochInfo', params: [{ commitment: call.commitment }] })
  const answers = await call.rpc.batch(requests, { signal: call.signal })
  const accountsMethod = 'getMultipleAccounts'
  const list = arrayOf(withContext(resultOf(answers[0], accountsMethod), accountsMethod).value, accountsMethod, 'value')
  if (list.length !== keys.length) throw malformed(accountsMethod, `asked for ${keys.length} accounts, got ${list.length}`)
  const names = ['sender', 'recipient', "sender's token", "recipient's token", 'mint']
  const accounts = list.map((v, i) => accountOf(v, accountsMethod, `the ${names[i]!} account`))
  const rentMethod = 'getMinimumBalanceForRentExemption'
  const rent0 = lamportsOf(resultOf(answers[1], rentMethod), rentMethod, 'the answer')
  const prioritizationFees = resultOf(answers[2], 'getRecentPrioritizationFees')
  const rent165 = token ? lamportsOf(resultOf(answers[3], rentMethod), rentMethod, 'the answer') : rent0
  // Rent is (128 + size) × rate: price any size from the two answers, rounding up.
  const rentOf = (size: number) => (size === 165 ? rent165 : rent0 + ((rent165 - rent0) * BigInt(size) + 164n) / 165n)
  const facts: Facts = { fromAccount: accounts[0]!, toAccount: accounts[1]!, rent0, rentOf, prioritizationFees }
  if (!token) return facts
  const [, toAccount, source, destination, mintAccount] = accounts
  if (!mintAccount)
    throw new DataIntegrityError(`The mint ${token.mint} of ${token.symbol} does not exist on this cluster.`, {
      details: { expected: token.mint },
    })
  if (mintAccount.owner !== program)
    throw new DataIntegrityError(
      `The mint ${token.mint} is owned by ${mintAccount.owner}, not the ${token.program} program this adapter lists it under.`,
    )
  const mint = mintFactsOf(token, program, mintAccount)
  if (mint.decimals !== token.decimals)
    throw new DataIntegrityError(
      `The mint ${token.mint} has ${mint.decimals} decimals, the adapter lists ${token.symbol} with ${token.decimals}; nothing was quoted.`,
      { details: { got: String(mint.decimals), expected: String(token.decimals) } },
    )
  if (
    toAccount &&
    (toAccount.owner === program || toAccount.owner === tokenProgramAddress(token.program === 'token' ? 'token-2022' : 'token'))
  )
    throw new InvalidAddressError(
      `${to} is a token account, not a wallet: Solana Pay and coffer send tokens to the owner's address (its associated token account is derived from it).`,
      { details: { chainId: call.chainId } },
    )
  let balance = 0n
  if (source) {
    const s = decodeTokenAccount(source.data)
    if (source.owner !== program || !s || s.mint !== token.mint || s.owner !== from)
      throw new DataIntegrityError(`The sender's associated token account ${sourceAccount} is not ${token.symbol} of ${from}.`)
    balance = s.amount
  }
  if (destination) {
    const d = decodeTokenAccount(destination.data)
    if (destination.owner !== program || !d || d.mint !== token.mint || d.owner !== to)
      throw new DataIntegrityError(`The recipient's associated token account ${destinationAccount} is not ${token.symbol} of ${to}.`)
  }
  let epoch = 0n
  if (token.program === 'token-2022') {
    const info = objectOf(resultOf(answers[4], 'getEpochInfo'), 'getEpochInfo', 'the answer')
    epoch = BigInt(intOf(info.epoch, 'getEpochInfo', 'epoch'))
  }
  return {
    ...facts,
    token: { info: token, program, mint, sourceAccount, destinationAccount, balance, createsRecipientAccount: destination === null, epoch },
  }
}

/** Maps a failed simulation to the error a user can act on. */
function simulationError(err: unknown, logs: unknown): Error {
  const reason = JSON.stringify(err).slice(0, 300)
  const tail = Array.isArray(logs) ? logs.slice(-3).join(' | ').slice(0, 400) : ''
  const text = `${reason} ${tail}`
  const insufficient =
    /InsufficientFunds|insufficient (funds|lamports)|"Custom":1\b/.test(text) ||
    (Array.isArray(logs) && logs.some((l) => /insufficient/i.test(String(l))))
  const message = `The node's simulation of this transfer failed (${reason}${tail ? `; ${tail}` : ''}); nothing was signed.`
  return insufficient ? new InsufficientFundsError(message) : new TransactionRejectedError(message, { details: { reason } })
}

/** Simulates the plan at the most compute units and no priority fee; returns the units consumed and, when asked, the new token account's lamports. */
async function simulate(call: SolanaCall, plan: TransferPlan): Promise<{ units: number; createdLamports?: bigint }> {
  const message = compileMessage(
    plan.from,
    transferInstructions({ ...plan, computeUnitLimit: MAX_COMPUTE_UNIT_LIMIT, computeUnitPrice: 0n }),
    {
      kind: 'blockhash',
      blockhash: SYSTEM_PROGRAM,
      lastValidBlockHeight: 0,
    },
  )
  const wire = new Uint8Array(1 + 64 + message.length)
  wire[0] = 1
  wire.set(message, 65)
  const config: Record<string, unknown> = {
    encoding: 'base64',
    sigVerify: false,
    replaceRecentBlockhash: true,
    commitment: call.commitment,
  }
  if (plan.createsRecipientAccount) config.accounts = { encoding: 'base64', addresses: [plan.destinationAccount] }
  const answer = await call.rpc.call<{ value?: { err?: unknown; logs?: unknown; unitsConsumed?: unknown; accounts?: unknown } }>(
    'simulateTransaction',
    [base64.encode(wire), config],
    { signal: call.signal },
  )
  const value = answer?.value
  if (!value) throw new RpcError('simulateTransaction: the answer has no value.', { details: { method: 'simulateTransaction' } })
  if (value.err !== null && value.err !== undefined) throw simulationError(value.err, value.logs)
  if (typeof value.unitsConsumed !== 'number' || !Number.isSafeInteger(value.unitsConsumed) || value.unitsConsumed < 0)
    throw new RpcError('simulateTransaction: the answer has no unitsConsumed.', { details: { method: 'simulateTransaction' } })
  const created = Array.isArray(value.accounts) ? (value.accounts[0] as { lamports?: unknown } | null) : undefined
  return {
    units: value.unitsConsumed,
    ...(typeof created?.lamports === 'number' ? { createdLamports: BigInt(created.lamports) } : {}),
  }
}

function insufficient(message: string, asset: string, needed: bigint, available: bigint): InsufficientFundsError {
  return new InsufficientFundsError(message, { details: { asset, needed: needed.toString(), available: available.toString() } })
}

/**
 * Quotes a transfer (the request checked by validate.ts): amount that arrives, fees at every level
 * (exact: Solana charges the requested compute units), and everything buildTransfer needs.
 * @throws InsufficientFundsError, InvalidAmountError (below the rent-exempt minimum to a new
 *   account), InvalidAddressError (a token account as recipient), FeeTooHighError,
 *   TransactionRejectedError (the simulation failed), DataIntegrityError, RpcError
 */
export async function quoteSolanaTransfer(call: SolanaCall, request: SolanaTransferRequest): Promise<TransferQuote> {
  const level: FeeLevel = request.feeLevel ?? 'normal'
  const native = request.asset === call.nativeAsset
  const listed = native ? undefined : call.tokens.find((t) => t.asset === request.asset)
  if (!native && !listed) throw new UnknownAssetError(`${request.asset} is not an asset this adapter lists.`)
  const facts = await readFacts(call, request, listed)
  const { from, to } = request
  if (!isWalletAccount(facts.fromAccount))
    throw new InvalidAddressError(`${from} is not a wallet account (owned by ${facts.fromAccount!.owner}): it cannot pay Solana fees.`, {
      details: { chainId: call.chainId },
    })
  const lamports = facts.fromAccount?.lamports ?? 0n
  const references = request.references ?? []
  const t = facts.token
  let amount: bigint
  let gross: bigint
  let transferFee = 0n
  let accountRent = 0n
  if (t) {
    const config = t.mint.transferFee
    if (request.amount === 'max') {
      gross = t.balance
      transferFee = config ? transferFeeAt(config, t.epoch, gross) : 0n
      amount = gross - transferFee
      if (amount <= 0n)
        throw insufficient(
          `Nothing to send: the ${t.info.symbol} balance of ${from} is ${formatAmount(t.balance, t.info.decimals)}.`,
          request.asset,
          1n,
          t.balance,
        )
    } else {
      amount = request.amount
      try {
        gross = config ? grossForNet(config, t.epoch, amount) : amount
      } catch (cause) {
        if (!(cause instanceof InvalidArgumentError)) throw cause
        throw new InvalidAmountError(`No ${t.info.symbol} transfer delivers exactly ${amount} base units under the mint's transfer fee.`, {
          cause,
          details: { amount },
        })
      }
      transferFee = gross - amount
    }
    if (gross > t.balance)
      throw insufficient(
        `Not enough ${t.info.symbol}: sending ${formatAmount(amount, t.info.decimals)}${transferFee > 0n ? ` plus a transfer fee of ${formatAmount(transferFee, t.info.decimals)}` : ''}, the balance is ${formatAmount(t.balance, t.info.decimals)}.`,
        request.asset,
        gross,
        t.balance,
      )
    if (t.createsRecipientAccount) accountRent = facts.rentOf(t.mint.ataSize)
  } else {
    const recipientNew = (facts.toAccount?.lamports ?? 0n) === 0n && to !== from
    const base = LAMPORTS_PER_SIGNATURE
    if (request.amount === 'max') {
      amount = lamports - base
      if (amount <= 0n)
        throw insufficient(`Nothing to send: ${from} holds ${sol(lamports)}, not more than the fee.`, request.asset, base + 1n, lamports)
    } else {
      amount = request.amount
      if (amount + base > lamports)
        throw insufficient(
          `Not enough SOL: ${sol(amount)} plus the fee, the balance is ${sol(lamports)}.`,
          request.asset,
          amount + base,
          lamports,
        )
    }
    if (recipientNew && amount < facts.rent0)
      throw new InvalidAmountError(
        `${to} does not exist yet: a new Solana account needs at least ${sol(facts.rent0)} (its rent-exempt minimum); send at least that much.`,
        { details: { amount } },
      )
    gross = amount
  }
  if (lamports < LAMPORTS_PER_SIGNATURE + accountRent)
    throw insufficient(
      `Not enough SOL for the fee: ${from} holds ${sol(lamports)}.`,
      call.nativeAsset,
      LAMPORTS_PER_SIGNATURE + accountRent,
      lamports,
    )
  const plan: TransferPlan = {
    from,
    to,
    amount,
    program: t ? t.program : SYSTEM_PROGRAM,
    ...(t ? { mint: t.info.mint } : {}),
    decimals: t ? t.info.decimals : SOL_DECIMALS,
    sourceAccount: t ? t.sourceAccount : from,
    destinationAccount: t ? t.destinationAccount : to,
    createsRecipientAccount: t?.createsRecipientAccount ?? false,
    accountRent,
    transferFee,
    grossAmount: gross,
    withFee: t?.program === TOKEN_2022_PROGRAM && t.mint.transferFee !== undefined,
    computeUnitLimit: MAX_COMPUTE_UNIT_LIMIT,
    computeUnitPrice: 0n,
    ...(request.memo === undefined ? {} : { memo: request.memo }),
    references,
  }
  const simulated = await simulate(call, plan)
  if (simulated.createdLamports !== undefined && simulated.createdLamports > accountRent) {
    if (simulated.createdLamports > 10_000_000n)
      throw new DataIntegrityError(`The simulation funds the new token account with ${simulated.createdLamports} lamports; refusing.`)
    accountRent = simulated.createdLamports
  }
  const limit = Math.min(MAX_COMPUTE_UNIT_LIMIT, Math.ceil(simulated.units * 1.2) + 1_000)
  const fees = feeLevels(call.nativeAsset, call.maxPriorityFee, facts.prioritizationFees, limit, 1, { rent: accountRent, level })
  const fee = fees[level]
  if (!t) {
    if (request.amount === 'max') amount = lamports - fee.amount
    if (amount <= 0n)
      throw insufficient(
        `Nothing to send: ${from} holds ${sol(lamports)}, not more than the fee ${sol(fee.amount)}.`,
        request.asset,
        fee.amount + 1n,
        lamports,
      )
    if ((facts.toAccount?.lamports ?? 0n) === 0n && to !== from && amount < facts.rent0)
      throw new InvalidAmountError(
        `${to} does not exist yet: a new Solana account needs at least ${sol(facts.rent0)}; after the fee only ${sol(amount)} is left to send.`,
        { details: { amount } },
      )
    gross = amount
  }
  const spent = (t ? 0n : amount) + fee.amount
  if (spent > lamports)
    throw insufficient(
      t
        ? `Not enough SOL for the fee${accountRent > 0n ? ` and the recipient's new token account` : ''}: up to ${sol(fee.amount)}, the balance is ${sol(lamports)}.`
        : `Not enough SOL: ${sol(amount)} plus up to ${sol(fee.amount)} fee, the balance is ${sol(lamports)}.`,
      call.nativeAsset,
      spent,
      lamports,
    )
  const left = lamports - spent
  if (left > 0n && left < facts.rent0 && to !== from)
    throw insufficient(
      `This transfer would leave ${from} with ${sol(left)}, below the ${sol(facts.rent0)} an account must keep (Solana refuses it); send everything ('max') or leave at least ${sol(facts.rent0)}.`,
      call.nativeAsset,
      spent + facts.rent0 - left,
      lamports,
    )
  return Object.freeze({
    chainId: call.chainId,
    from,
    to,
    asset: request.asset,
    amount,
    feeLevel: level,
    fee,
    fees,
    createdAt: Date.now(),
    details: {
      program: plan.program,
      ...(plan.mint ? { mint: plan.mint } : {}),
      decimals: plan.decimals,
      sourceAccount: plan.sourceAccount,
      destinationAccount: plan.destinationAccount,
      createsRecipientAccount: plan.createsRecipientAccount,
      accountRent: accountRent.toString(),
      transferFee: transferFee.toString(),
      grossAmount: gross.toString(),
      withTransferFee: plan.withFee,
      computeUnitLimit: limit,
      computeUnitPrice: String(fee.details.computeUnitPrice),
      memo: request.memo ?? null,
      references: [...references],
    },
  })
}
