/**
 * The Wallet: what an app imports first. It joins the vault (keys at rest), the chain adapters,
 * the portfolio, the spending policy and the audit journal behind a few calls:
 *
 * ```ts
 * const wallet = await Wallet.create({ storage, password, chains: [ethereum, polygon], policy: { limits: [{ asset: 'USDT', perWindow: '500' }] } })
 * const quote = await wallet.quote({ to, asset: 'USDT', amount: '25', chainId: 'eip155:137' })
 * const hash = await wallet.send(quote)        // policy → sign in the vault → broadcast → journal
 * ```
 *
 * Every signature goes through the policy first (a refusal signs nothing) and leaves an entry
 * in the tamper-evident journal (refusals too). The journal and the spending records are
 * sealed with the vault; the portfolio's cache (balances, addresses) is kept in the clear so a
 * restart can show balances before the password is typed.
 * @module
 */
import { assertOptions, describe } from '../core/assert.js'
import type { ChainId } from '../core/caip.js'
import type {
  AssetInfo,
  Balance,
  ChainAdapter,
  FeeLevel,
  HistoryOptions,
  HistoryPage,
  Json,
  MessageSignature,
  TransferQuote,
} from '../chains/adapter.js'
import { parsePaymentUri, type ParsePaymentUriOptions, type PaymentRequest } from '../payments/uri.js'
import { chainFamily } from '../chains/family.js'
import {
  CofferError,
  InvalidArgumentError,
  JournalIntegrityError,
  PolicyViolationError,
  VaultExistsError,
  VaultLockedError,
  VaultNotFoundError,
} from '../core/errors.js'
import { mnemonicToEntropy } from '../keys/mnemonic.js'
import type { PaymentStatus } from '../audit/entry.js'
import { policyToJson } from '../policy/rules.js'
import { spentFromJournal } from './payments.js'
import { emptyRecord, parseRecord, RECORD_KEY, saveRecord, type WalletRecord } from './record.js'
import { reconcilePayments, sendPayment, type PaymentContext } from './send.js'
import { signWith, type SignRequest } from './signatures.js'
import { adoptPolicy, changePolicy, savePolicy } from './stored-policy.js'
import type { BitcoinAddressType } from '../keys/address/bitcoin.js'
import { AuditJournal, type AuditEntry, type AuditEntryInput } from '../audit/journal.js'
import { PolicyEngine, type PolicyOptions, type SignSummary } from '../policy/policy.js'
import { Emitter } from '../core/emitter.js'
import { Portfolio } from '../portfolio/portfolio.js'
import type { PriceSource } from '../portfolio/prices.js'
import type { PortfolioEvents } from '../portfolio/types.js'
import type { KdfOptions } from '../vault/kdf.js'
import type { VaultStorage } from '../vault/storage.js'
import { Vault } from '../vault/vault.js'
import {
  accountId,
  accountOptionsOf,
  accountSigner,
  addressAt,
  checkAccountOptions,
  newAccount,
  receiveAddress,
  sameAccountOptions,
  sameAddress,
  type AccountRecord,
  type WalletAddress,
} from './accounts.js'
import { resolveAccount, resolveBatch, resolveRequest, type AccountRef, type BatchQuoteRequest, type QuoteRequest } from './requests.js'

/** Options of `Wallet.create`. */
export interface WalletCreateOptions {
  /** Where the vault, journal, policy records and wallet record live. */
  readonly storage: VaultStorage
  readonly password: string
  /** One adapter per chain. */
  readonly chains: readonly ChainAdapter[]
  /** Restore from this phrase; a new 12-word phrase is generated when absent (back it up: `wallet.vault.revealMnemonic`). */
  readonly mnemonic?: string
  readonly passphrase?: string
  readonly kdf?: KdfOptions
  readonly autoLockMs?: number
  readonly policy?: PolicyOptions
  readonly priceSource?: PriceSource
  /** Fiat currency for prices and fiat limits, default `'usd'`. */
  readonly currency?: string
}

/**
 * Options of `Wallet.open`. `policy` is optional: the wallet keeps its policy (sealed with the
 * vault) and uses the stored one; a policy given here may tighten it (and is then stored), not
 * loosen it (`unlock` refuses; use `wallet.setPolicy(policy, { password })`). Give the policy's
 * hook (`onBeforeSign`) again here: functions are not stored.
 */
export type WalletOpenOptions = Omit<WalletCreateOptions, 'password' | 'mnemonic' | 'passphrase' | 'kdf'>

/** What `wallet.reconcile()` found about one payment. */
export interface PaymentState {
  /** The payment's id (its journal entries share it). */
  readonly payment: string
  readonly chainId?: ChainId
  readonly hash?: string
  /** Where it stands now (see `AuditEntry.status`). */
  readonly status: PaymentStatus
}

/**
 * An account of the wallet on one chain. `address` is what a person pays: on account chains the
 * account itself; on Bitcoin the account's first receive address (`…/0/0`), while `descriptor`
 * names the whole account (every receive and change address). Either one names the account in a
 * `from`. To ask for a payment, give `await receiveAddress()` (Bitcoin: a fresh address each time
 * one is used) rather than `address`.
 */
export interface WalletAccount extends AccountRecord {
  /** Balances of every asset the chain's adapter knows (Bitcoin: the whole account). */
  balances(): Promise<Balance[]>
  /** This account's transfers on its chain, newest first, one page at a time (the adapter's `getHistory`). */
  history(options?: HistoryOptions): Promise<HistoryPage>
  /**
   * The address to give a payer. Bitcoin: the first never-used receive address, from the
   * adapter's discovery on the chain (`nextReceiveAddress`), checked against the account's own
   * derivation; offline, use `addressAt(0)` (it may have been used). Account chains: `address`.
   * @throws the adapter's network errors (RpcError, DeadlineExceededError, DiscoveryLimitError); DataIntegrityError; NotSupportedError
   */
  receiveAddress(): Promise<WalletAddress>
  /**
   * The address at `index` of the account, derived offline (works while locked). Bitcoin: the
   * descriptor's key at `<0|1>/<index>` (`change: true` for the change branch). Account chains:
   * `addressAt(0)` is `address`; other indexes are other accounts and throw NotSupportedError.
   * @throws InvalidArgumentError, NotSupportedError
   */
  addressAt(index: number, options?: { readonly change?: boolean }): WalletAddress
}

/** A quote from `wallet.quote`: the adapter's quote plus what a UI shows. */
export interface WalletQuote extends TransferQuote {
  readonly symbol: string
  readonly decimals: number
  readonly family?: string
  readonly feeSymbol: string
  readonly feeDecimals: number
}

/** Options of `wallet.send`. */
export interface SendOptions {
  /** Asked after the policy's own hook; `false` refuses. */
  readonly confirm?: (summary: SignSummary) => boolean | Promise<boolean>
}

/** Options of `wallet.pay`. */
export interface PayOptions extends SendOptions {
  /** The paying account (a wallet account, its address, or a CAIP-10 id); default the first on the request's chain. */
  readonly from?: AccountRef
  /** The amount (base units, or a decimal string in whole units) when the request names none. */
  readonly amount?: bigint | string
  readonly feeLevel?: FeeLevel
  /** Who pays the fee in what (see QuoteRequest.gas): `'auto'` pays in the stablecoin when the account has no ETH for it. */
  readonly gas?: 'native' | 'stablecoin' | 'auto'
  /**
   * How to read a URI (`solanaChainId` for a Solana Pay URI of devnet or a local cluster, `tronChainId` for a `tron:` URI of
   * Nile or a local chain, `defaultEvmChainId`, `bitcoinNetwork`).
   */
  readonly parse?: ParsePaymentUriOptions
}

/** Options of `wallet.account`. */
export interface WalletAccountOptions {
  /** The account's index (BIP-44 account, or address index on account chains), default 0. */
  readonly index?: number
  /** Which vault secret, default the wallet's mnemonic. */
  readonly secretId?: string
  /** Bitcoin: the address type (BIP-44/49/84/86), default `'p2wpkh'`. Shorthand for `options: { addressType }`. */
  readonly addressType?: BitcoinAddressType
  /**
   * The chain family's account options (Bitcoin: `{ addressType }`), checked by the family; an
   * option the family does not take throws InvalidArgumentError.
   */
  readonly options?: { readonly [option: string]: Json }
  readonly label?: string
}

/** Events of a wallet: the portfolio's, plus every send and refusal. */
export interface WalletEvents extends PortfolioEvents {
  sent: { readonly hash: string; readonly entry: AuditEntry }
  refused: { readonly error: PolicyViolationError; readonly entry: AuditEntry }
}

const EVENTS = ['change', 'incoming', 'outgoing', 'reorg', 'error', 'refresh', 'sent', 'refused'] as const

/** An adapter's quote with what a UI shows (symbols and decimals from the adapter's asset list). */
async function walletQuote(adapter: ChainAdapter, asset: AssetInfo, quote: TransferQuote): Promise<WalletQuote> {
  const fee = (await adapter.assets()).find((a) => a.id === quote.fee.asset)
  return Object.freeze({
    ...quote,
    symbol: asset.symbol,
    decimals: asset.decimals,
    ...(asset.family ? { family: asset.family } : {}),
    feeSymbol: fee?.symbol ?? quote.fee.asset,
    feeDecimals: fee?.decimals ?? 0,
  })
}

/** A self-custody wallet over a vault, chain adapters, a portfolio, a policy and a journal. */
export class Wallet {
  readonly vault: Vault
  readonly #storage: VaultStorage
  readonly #adapters: ReadonlyMap<ChainId, ChainAdapter>
  #policy: PolicyEngine
  readonly #givenPolicy: PolicyOptions | undefined
  readonly #priceSource: PriceSource | undefined
  readonly #currency: string | undefined
  readonly #events: Emitter<WalletEvents>
  #record: WalletRecord
  #journal: AuditJournal | undefined
  #portfolio: Portfolio | undefined
  #portfolioAccounts = ''

  private constructor(vault: Vault, storage: VaultStorage, options: WalletOpenOptions, record: WalletRecord) {
    this.vault = vault
    this.#storage = storage
    this.#adapters = adapterMap(options.chains)
    this.#priceSource = options.priceSource
    this.#currency = options.currency
    this.#record = record
    this.#givenPolicy = options.policy
    this.#policy = this.#engine(options.policy)
    this.#events = new Emitter<WalletEvents>([...EVENTS], () => undefined)
  }

  /** A policy engine for `policy` over this wallet's storage, sealed records and prices. */
  #engine(policy: PolicyOptions | undefined): PolicyEngine {
    const engine = new PolicyEngine(policy, {
      store: this.#storage,
      sealer: () => (this.vault.isLocked ? undefined : this.vault.sealer('policy')),
      ...(this.#priceSource ? { prices: this.#priceSource } : {}),
      ...(this.#currency ? { currency: this.#currency.toLowerCase() } : {}),
    })
    // Deleting the policy record must not reset the limits: rebuild it from the journal.
    engine.useFallback(async () =>
      !this.#journal || this.vault.isLocked ? [] : spentFromJournal(await this.#journal.entries(), this.#adapters),
    )
    return engine
  }

  /**
   * Makes the stored policy the one in force (at unlock): a wallet without one stores what it
   * was given; a given policy may tighten the stored one (stored then), never loosen it.
   * @throws PolicyViolationError when the given policy loosens the stored one
   */
  async #adoptPolicy(): Promise<void> {
    const policy = await adoptPolicy(this.#storage, this.vault.sealer('policy-rules'), this.#givenPolicy)
    this.#policy = this.#engine(policy)
  }

  /**
   * Changes the policy in force and stores it. Tightening needs nothing; loosening (a higher or
   * removed limit, a shorter window, a wider allowlist, a dropped rule or hook) needs the
   * wallet's password. @throws PolicyViolationError (looser without the password), WrongPasswordError
   */
  async setPolicy(policy: PolicyOptions, options: { password?: string } = {}): Promise<void> {
    if (this.vault.isLocked) throw new VaultLockedError('Unlock the wallet to change its policy.')
    const opts = assertOptions(options)
    if (opts.password !== undefined) this.vault.verifyPassword(opts.password)
    this.#policy = this.#engine(await changePolicy(this.#storage, this.vault.sealer('policy-rules'), policy, opts.password !== undefined))
  }

  /**
   * Makes a new wallet: a vault with one mnemonic (generated or restored) and account 0 on every
   * chain, and its policy stored with it. Everything is checked (chains, policy, phrase) before
   * anything is written. Returns it unlocked.
   * @throws InvalidArgumentError (bad options, chains or policy), InvalidMnemonicError,
   *   VaultExistsError (the storage already holds a wallet: `Wallet.open` it), StorageError
   */
  static async create(options: WalletCreateOptions): Promise<Wallet> {
    const opts = assertOptions(options)
    adapterMap(opts.chains)
    policyToJson(opts.policy ?? {}) // a bad policy throws here, before anything is written
    if (opts.mnemonic !== undefined) {
      if (typeof opts.mnemonic !== 'string') throw new InvalidArgumentError('mnemonic must be a string.')
      mnemonicToEntropy(opts.mnemonic).fill(0) // a mistyped phrase throws here, before a vault exists
    }
    const vault = await Vault.create({
      storage: opts.storage as VaultStorage,
      password: opts.password as string,
      ...(opts.kdf ? { kdf: opts.kdf } : {}),
      ...(opts.autoLockMs ? { autoLockMs: opts.autoLockMs } : {}),
    }).catch((error: unknown) => {
      // Speak of wallets to someone who asked for one.
      if (error instanceof VaultExistsError)
        throw new VaultExistsError(
          'This storage already holds a wallet; open it with Wallet.open, or create the new one in another storage.',
          { cause: error },
        )
      throw error
    })
    const { id } = await vault.addMnemonic({
      ...(opts.mnemonic ? { mnemonic: opts.mnemonic } : {}),
      ...(opts.passphrase ? { passphrase: opts.passphrase } : {}),
      label: 'wallet',
    })
    const accounts: AccountRecord[] = []
    for (const adapter of adapterMap(opts.chains).values()) accounts.push(await newAccount(vault, adapter, { secretId: id, index: 0 }))
    const record: WalletRecord = { ...emptyRecord(), primary: id, accounts }
    const wallet = new Wallet(vault, opts.storage as VaultStorage, opts as WalletOpenOptions, record)
    await wallet.#saveRecord()
    wallet.#journal = await AuditJournal.open({ storage: wallet.#storage, sealer: vault.sealer('journal') })
    await savePolicy(wallet.#storage, vault.sealer('policy-rules'), opts.policy ?? {})
    return wallet
  }

  /**
   * Opens the wallet in `storage`, locked: `unlock(password)` next.
   * @throws VaultNotFoundError (no wallet there: `Wallet.create` one), VaultFormatError, InvalidArgumentError, StorageError
   */
  static async open(options: WalletOpenOptions): Promise<Wallet> {
    const opts = assertOptions(options)
    adapterMap(opts.chains)
    const vault = await Vault.open({
      storage: opts.storage as VaultStorage,
      ...(opts.autoLockMs ? { autoLockMs: opts.autoLockMs } : {}),
    }).catch((error: unknown) => {
      if (error instanceof VaultNotFoundError)
        throw new VaultNotFoundError('No wallet in this storage; create one with Wallet.create (or check the path).', { cause: error })
      throw error
    })
    const text = await (opts.storage as VaultStorage).get(RECORD_KEY)
    // A vault made without a wallet (Vault.create, `coffer import`) gets its record at unlock.
    const record = text === undefined ? emptyRecord() : parseRecord(text)
    return new Wallet(vault, opts.storage as VaultStorage, opts as WalletOpenOptions, record)
  }

  /** True while the vault is locked: reads work, signing needs `unlock(password)`. */
  get isLocked(): boolean {
    return this.vault.isLocked
  }

  /**
   * Unlocks the vault, opens the journal and puts the stored policy in force (see
   * {@link WalletOpenOptions}). @throws WrongPasswordError; PolicyViolationError when the policy
   * given to `open` loosens the stored one (the wallet stays locked)
   */
  async unlock(password: string): Promise<void> {
    await this.vault.unlock(password)
    try {
      this.#journal ??= await AuditJournal.open({ storage: this.#storage, sealer: this.vault.sealer('journal') })
      await this.#adoptPolicy()
    } catch (error) {
      this.vault.lock()
      throw error
    }
    if (!this.#record.primary) {
      const mnemonic = this.vault.listSecrets().find((s) => s.kind === 'mnemonic')
      if (!mnemonic)
        throw new InvalidArgumentError('This vault holds no mnemonic for the wallet to derive accounts from; add one (vault.addMnemonic).')
      this.#record.primary = mnemonic.id
      await this.#saveRecord()
    }
    // Accounts on chains added since the wallet was made get account 0.
    for (const adapter of this.#adapters.values()) {
      if (!this.#record.accounts.some((a) => a.chainId === adapter.chainId)) {
        this.#record.accounts.push(await newAccount(this.vault, adapter, { secretId: this.#record.primary, index: 0 }))
        await this.#saveRecord()
      }
    }
  }

  /** Locks the vault: keys wiped, signers revoked; the portfolio keeps reading balances. */
  lock(): void {
    this.vault.lock()
  }

  /**
   * Done with the wallet: stops the portfolio (no more timers: a script can exit), waits for its
   * cache to be saved, and locks the vault (keys wiped, signers revoked). Every journal entry and
   * spend record is already stored by the call that made it. The wallet can be unlocked again.
   */
  async close(): Promise<void> {
    try {
      await this.#portfolio?.stop()
    } finally {
      this.vault.lock()
    }
  }

  /** The audit journal of every signature and refusal. @throws VaultLockedError while locked */
  get journal(): AuditJournal {
    if (!this.#journal || this.vault.isLocked)
      throw new VaultLockedError('Unlock the wallet to read its journal (it is sealed with the vault).')
    return this.#journal
  }

  /** The policy in force. */
  get policy(): PolicyOptions {
    return this.#policy.options
  }

  /** Every account the wallet has opened (works while locked). */
  accounts(): WalletAccount[] {
    return this.#record.accounts.filter((a) => this.#adapters.has(a.chainId)).map((a) => this.#account(a))
  }

  /**
   * The account at `index` (default 0) on `chainId`, opened (and remembered) if new. Its family
   * checks its account options: on Bitcoin it is a BIP-32 account named by its descriptor, and
   * `addressType` picks BIP-44/49/84/86; on EVM chains it takes none.
   * @throws InvalidArgumentError (bad index, label or options; an option the chain's family does not take), VaultLockedError for a new account
   */
  async account(chainId: ChainId, options: WalletAccountOptions = {}): Promise<WalletAccount> {
    const opts = assertOptions(options)
    const adapter = this.#adapter(chainId)
    const secretId = opts.secretId ?? this.#record.primary
    const index = opts.index ?? 0
    const accountOptions = checkAccountOptions(chainId, givenOptions(opts.options, opts.addressType))
    const known = this.#record.accounts.find(
      (a) =>
        a.chainId === chainId &&
        a.secretId === secretId &&
        a.index === index &&
        sameAccountOptions(chainId, accountOptionsOf(a), accountOptions),
    )
    if (known) return this.#account(known)
    const record = await newAccount(this.vault, adapter, {
      secretId,
      index,
      options: accountOptions,
      ...(opts.label === undefined ? {} : { label: opts.label }),
    })
    this.#record.accounts.push(record)
    await this.#saveRecord()
    return this.#account(record)
  }

  #account(record: AccountRecord): WalletAccount {
    const adapter = this.#adapter(record.chainId)
    return Object.freeze({
      ...record,
      balances: () => adapter.getBalances({ addresses: [accountId(record)] }),
      history: (options?: HistoryOptions) => adapter.getHistory(accountId(record), options),
      receiveAddress: () => receiveAddress(adapter, record),
      addressAt: (index: number, options?: { readonly change?: boolean }) => addressAt(record, index, options),
    })
  }

  /**
   * Prices a payment: `{ from?, to, asset, amount, chainId?, feeLevel? }`, where `asset` is a
   * CAIP-19 id or a symbol on the paying chain and `amount` a bigint of base units or a decimal
   * string. A parsed payment URI is such a request. Funds for amount and fee are checked. The
   * chain is the one `from`, the asset's CAIP-19 id or `chainId` names; failing those, the one
   * chain that has the asset and takes the recipient's address.
   * @throws InvalidArgumentError (which chain, bad request), UnknownAssetError, InvalidCaipIdError,
   *   InvalidAmountError, InvalidAddressError, InsufficientFundsError, FeeTooHighError, RpcError,
   *   DeadlineExceededError
   */
  async quote(request: QuoteRequest): Promise<WalletQuote> {
    const { adapter, account, asset, amount } = await resolveRequest(request, this.#adapters, this.#record.accounts)
    const quote = await adapter.quoteTransfer({
      from: accountId(account),
      to: request.to,
      asset: asset.id,
      amount,
      ...(request.feeLevel ? { feeLevel: request.feeLevel } : {}),
      ...(request.memo === undefined ? {} : { memo: request.memo }),
      ...(request.references === undefined ? {} : { references: request.references }),
      ...(request.gas === undefined ? {} : { gas: request.gas }),
    })
    return walletQuote(adapter, asset, quote)
  }

  /**
   * Prices a batch: several payments of one asset from one account in one operation — one
   * signature, one confirmation (a payroll). EVM adapters with `stablecoinGas` do it as one
   * ERC-4337 operation with the fee in the token. The quote's `payments` list each payment; `to`
   * is the first recipient and `amount` the total. `wallet.send` checks each payment against the
   * policy (lists, limits) and the fee once.
   * @throws the errors of {@link Wallet.quote}; NotSupportedError (the chain cannot batch)
   */
  async quoteBatch(request: BatchQuoteRequest): Promise<WalletQuote> {
    const r = assertOptions(request) as BatchQuoteRequest
    const { adapter, account, asset, amount, payments } = await resolveBatch(r, this.#adapters, this.#record.accounts)
    const quote = await adapter.quoteTransfer({
      from: accountId(account),
      to: payments[0]!.to,
      asset: asset.id,
      amount: amount as bigint,
      payments,
      gas: r.gas ?? 'stablecoin',
      ...(r.feeLevel ? { feeLevel: r.feeLevel } : {}),
    })
    return walletQuote(adapter, asset, quote)
  }

  /**
   * Sends a quoted payment: the policy decides (nothing is signed on a refusal, which throws
   * PolicyViolationError), the journal records the intent, the vault signs, the adapter
   * broadcasts, the journal records what happened. Returns the transaction hash.
   *
   * What the policy and the hooks see about the asset and the fee (symbol, decimals, family) comes
   * from the adapter's asset list, never from the quote's own fields; the signer checks that the
   * transaction pays what the quote says (recipient, amount, asset, fee cap).
   *
   * If the broadcast's answer is lost, this throws BroadcastUnknownError (the hash is in it): the
   * payment may have gone out, so it keeps counting against the limits and is journaled
   * `unknown`; `reconcile()` settles it later. Do not send it again.
   * @throws PolicyViolationError (refused: nothing signed), BroadcastUnknownError (maybe sent: do not pay again), TransactionRejectedError and InsufficientFundsError (refused by the node: nothing sent), UnknownAssetError, VaultLockedError, JournalIntegrityError, InvalidArgumentError, DataIntegrityError, RpcError, DeadlineExceededError
   */
  async send(quote: WalletQuote, options: SendOptions = {}): Promise<string> {
    const q = assertOptions(quote) as WalletQuote
    const opts = assertOptions(options)
    if (opts.confirm !== undefined && typeof opts.confirm !== 'function') throw new InvalidArgumentError('confirm must be a function.')
    const adapter = this.#adapter(q.chainId)
    const account = this.#record.accounts.find((a) => a.chainId === q.chainId && sameAddress(a.address, q.from, a.chainId))
    if (!account) throw new InvalidArgumentError("This quote is not from one of this wallet's accounts.")
    if (this.vault.isLocked) throw new VaultLockedError()
    return sendPayment(this.#context(adapter, account), adapter, q, opts)
  }

  /**
   * Pays a payment request: a URI (`ethereum:` EIP-681, `bitcoin:` BIP-21, `solana:` Solana Pay,
   * `tron:`, or a registered family's scheme) or a request `parsePaymentUri` returned. Quotes it from the
   * paying account (`options.from`, default the first account on the request's chain), with its
   * memo and references (Solana Pay puts them in the transaction), then sends it like
   * {@link Wallet.send}: policy, journal, signature, broadcast. A request without an amount needs
   * `options.amount`; one with an amount cannot be changed. Solana Pay URIs name no cluster: pass
   * `options.parse.solanaChainId` for devnet or a local cluster (default mainnet-beta); nor do
   * `tron:` URIs name a network: `options.parse.tronChainId` for Nile or a local chain (default mainnet).
   * @throws InvalidPaymentUriError for a malformed URI; the errors of {@link Wallet.quote} and {@link Wallet.send}
   */
  async pay(uri: string | PaymentRequest, options: PayOptions = {}): Promise<string> {
    const opts = assertOptions(options)
    const request = typeof uri === 'string' ? parsePaymentUri(uri, opts.parse) : (assertOptions(uri, 'request') as PaymentRequest)
    if (request.amount !== undefined && opts.amount !== undefined)
      throw new InvalidArgumentError('The request names its amount; options.amount cannot change it.')
    const amount = request.amount ?? opts.amount
    if (amount === undefined) throw new InvalidArgumentError('The request names no amount; pass options.amount.')
    const quote = await this.quote({
      to: request.to,
      asset: request.asset,
      amount,
      chainId: request.chainId,
      ...(opts.from === undefined ? {} : { from: opts.from }),
      ...(opts.feeLevel ? { feeLevel: opts.feeLevel } : {}),
      ...(opts.gas ? { gas: opts.gas } : {}),
      ...(request.memo === undefined ? {} : { memo: request.memo }),
      ...(request.references === undefined ? {} : { references: request.references }),
    })
    return this.send(quote, opts.confirm ? { confirm: opts.confirm } : {})
  }

  /**
   * Asks the chains about every payment whose outcome is open (sent, unknown, or an intent a
   * crash interrupted) and records what they say: `confirmed`; `failed` (mined but reverted) or
   * `dropped` with proof it can never be mined — both stop counting against the limits. Payments
   * still pending, or unknown without a hash, stay as they are (and keep counting).
   */
  async reconcile(): Promise<PaymentState[]> {
    return reconcilePayments(this.#context())
  }

  /** What sends, signatures and reconciliation need from this wallet; `signer()` needs an account. */
  #context(adapter?: ChainAdapter, account?: AccountRecord): PaymentContext {
    return {
      journal: this.journal,
      policy: this.#policy,
      adapters: this.#adapters,
      signer: async () => {
        if (!adapter || !account) throw new InvalidArgumentError('No account to sign with.')
        return accountSigner(this.vault, account)
      },
      record: (event, input, refusal, hash) => this.#journalEntry(event, input, refusal, hash),
    }
  }

  /**
   * Appends to the journal. A failure here must not hide what happened (a hash that went out, a
   * refusal): it is reported as an `error` event and the caller's result stands.
   */
  async #journalEntry(
    event: 'refused' | 'sent' | undefined,
    input: AuditEntryInput,
    refusal?: PolicyViolationError,
    hash?: string,
  ): Promise<AuditEntry | undefined> {
    try {
      const entry = await this.journal.append(input)
      if (event === 'refused' && refusal) this.#events.emit('refused', { error: refusal, entry })
      if (event === 'sent' && hash) this.#events.emit('sent', { hash, entry })
      return entry
    } catch (error) {
      const why = error instanceof CofferError ? error.shortMessage : String(error)
      this.#events.emit('error', {
        error: new JournalIntegrityError(`Could not record ${hash ? `transaction ${hash}` : 'an entry'} in the journal: ${why}`, {
          cause: error,
        }),
      })
      return undefined
    }
  }

  /**
   * Signs a message with an account's key the chain's way (EIP-191 on EVM chains), after the
   * confirmation hooks; journaled.
   * @throws NotSupportedError when the account's adapter cannot sign messages (`capabilities.signMessage`); PolicyViolationError; VaultLockedError; InvalidArgumentError
   */
  async signMessage(
    parameters: { from?: AccountRef; message: string | Uint8Array; chainId?: ChainId },
    options: SendOptions = {},
  ): Promise<MessageSignature> {
    const p = assertOptions(parameters)
    const { message } = p
    if (typeof message !== 'string' && !(message instanceof Uint8Array))
      throw new InvalidArgumentError('message must be a string or bytes.')
    const text = typeof message === 'string' ? message : `0x${[...message].map((b) => b.toString(16).padStart(2, '0')).join('')}`
    return this.#signWith({ kind: 'message', message }, p.from, p.chainId, text, options)
  }

  /**
   * Signs EIP-712 typed data with an account's key, after the confirmation hooks; journaled.
   * Typed data that moves tokens (EIP-2612 / DAI permits, EIP-3009 authorizations, Permit2;
   * see the adapter's `typedDataSpends`) is first checked and recorded by the spending policy
   * like a transfer to the spender.
   * @throws PolicyViolationError; NotSupportedError when the account's adapter cannot sign typed data (`capabilities.signTypedData`); VaultLockedError; InvalidArgumentError
   */
  async signTypedData(
    parameters: {
      from?: AccountRef
      typedData: { primaryType: string; domain?: { name?: string } } & Record<string, unknown>
      chainId?: ChainId
    },
    options: SendOptions = {},
  ): Promise<MessageSignature> {
    const p = assertOptions(parameters)
    if (!p.typedData || typeof p.typedData !== 'object' || typeof p.typedData.primaryType !== 'string')
      throw new InvalidArgumentError('typedData needs a primaryType.')
    const what = `${p.typedData.primaryType}${p.typedData.domain?.name ? ` for ${String(p.typedData.domain.name).slice(0, 60)}` : ''}`
    return this.#signWith({ kind: 'typed-data', typedData: p.typedData }, p.from, p.chainId, what, options)
  }

  async #signWith(
    request: SignRequest,
    from: unknown,
    chainId: ChainId | undefined,
    text: string,
    options: SendOptions,
  ): Promise<MessageSignature> {
    const { adapter, account } = resolveAccount(from as AccountRef | undefined, chainId, this.#adapters, this.#record.accounts)
    return signWith(this.#context(adapter, account), adapter, accountId(account), request, text, options)
  }

  /**
   * The Portfolio over every account of the wallet (balances, totals, fiat, events, history).
   * Made once and remade when accounts are added; `wallet.on` forwards its events.
   */
  portfolio(): Portfolio {
    const accounts = this.accounts()
    const key = accounts.map((a) => `${a.chainId}|${accountId(a)}`).join(',')
    if (this.#portfolio && key === this.#portfolioAccounts) return this.#portfolio
    const watching = this.#portfolio?.watching
    void this.#portfolio?.stop()
    const portfolio = new Portfolio({
      adapters: [...this.#adapters.values()],
      accounts: accounts.map((a) =>
        a.descriptor !== undefined
          ? { chainId: a.chainId, descriptor: a.descriptor, ...(a.label ? { label: a.label } : {}) }
          : { chainId: a.chainId, address: a.address, ...(a.label ? { label: a.label } : {}) },
      ),
      storage: this.#storage,
      ...(this.#priceSource ? { priceSource: this.#priceSource } : {}),
      ...(this.#currency ? { currency: this.#currency } : {}),
    })
    for (const name of ['change', 'incoming', 'outgoing', 'reorg', 'error', 'refresh'] as const) {
      portfolio.on(name, (payload) => this.#events.emit(name, payload as never))
    }
    this.#portfolio = portfolio
    this.#portfolioAccounts = key
    if (watching) portfolio.watch()
    return portfolio
  }

  /** Listens to portfolio events (`incoming`, `outgoing`, `change`, …) and to `sent` / `refused`. */
  on<K extends keyof WalletEvents>(event: K, listener: (payload: WalletEvents[K]) => void): () => void {
    const off = this.#events.on(event, listener)
    if (event !== 'sent' && event !== 'refused') this.portfolio()
    return off
  }

  #adapter(chainId: unknown): ChainAdapter {
    const adapter = typeof chainId === 'string' ? this.#adapters.get(chainId as ChainId) : undefined
    if (!adapter)
      throw new InvalidArgumentError(
        `The wallet has no adapter for ${typeof chainId === 'string' ? chainId.slice(0, 60) : describe(chainId)}.`,
      )
    return adapter
  }

  /**
   * Stores the wallet record, merged with what is stored now (another process may have opened
   * accounts meanwhile: both keep theirs, and this wallet learns the others').
   */
  async #saveRecord(): Promise<void> {
    await saveRecord(this.#storage, this.#record)
  }

  /** `Wallet(locked|unlocked, n accounts)`: never a secret. */
  toString(): string {
    return `Wallet(${this.isLocked ? 'locked' : 'unlocked'}, ${this.#record.accounts.length} accounts)`
  }
}

function adapterMap(chains: unknown): Map<ChainId, ChainAdapter> {
  if (!Array.isArray(chains)) throw new InvalidArgumentError('chains must be an array of chain adapters.')
  const map = new Map<ChainId, ChainAdapter>()
  for (const [i, c] of chains.entries()) {
    const a = c as Partial<ChainAdapter> | null
    if (!a || typeof a.chainId !== 'string' || typeof a.quoteTransfer !== 'function')
      throw new InvalidArgumentError(`chains[${i}] is not a chain adapter.`)
    if (map.has(a.chainId)) throw new InvalidArgumentError(`Two adapters serve ${a.chainId}.`)
    chainFamily(a.chainId) // a chain no registered family serves throws NotSupportedError
    map.set(a.chainId, a as ChainAdapter)
  }
  return map
}

/**
 * The account options `wallet.account` was given: `options`, with `addressType` (its shorthand) added.
 * @throws InvalidArgumentError for options that are not an object, or an addressType given twice
 */
function givenOptions(options: unknown, addressType: unknown): { readonly [option: string]: unknown } {
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) {
    throw new InvalidArgumentError(
      `options must be an object of account options such as { addressType: 'p2tr' }, got ${describe(options)}.`,
    )
  }
  const given = (options ?? {}) as { readonly [option: string]: unknown }
  if (addressType === undefined) return given
  if (given.addressType !== undefined && given.addressType !== addressType)
    throw new InvalidArgumentError('addressType is given twice (as an option and in options) with different values.')
  return { ...given, addressType }
}
