/**
 * A small web wallet on coffer's public API: the `Wallet` facade over a vault in the browser's
 * storage (IndexedDB), four chains (the local EVM, Solana, TRON and Bitcoin regtest chains that
 * server.ts starts, reached through the page's own origin), a spending policy, the portfolio
 * (live balances per chain and asset family, fiat totals, history, CSV) and the audit journal.
 *
 * Screens: create (or restore) → back up the phrase (confirm two words) → the wallet; unlock
 * when the wallet is locked (the Lock button, or auto-lock after five idle minutes).
 */
import {
  PolicyViolationError,
  VaultNotFoundError,
  Wallet,
  browserStorage,
  fixedPrices,
  formatAmount,
  formatPaymentUri,
  paymentQr,
  type AssetId,
  type ChainId,
  type PortfolioSnapshot,
  type PortfolioTransfer,
  type SignSummary,
  type WalletAccount,
  type WalletOpenOptions,
  type WalletQuote,
} from 'coffer'
import { bitcoin } from 'coffer/bitcoin'
import { evm, type EvmTokenConfig } from 'coffer/evm'
import { solana, type SolanaTokenConfig } from 'coffer/solana'
import { tron, type TronTokenConfig } from 'coffer/tron'
import { $, copy, download, h, onClick, onThisOrigin, screen } from './dom.js'

const SCREENS = ['onboard', 'backup', 'unlock', 'wallet'] as const
/** The vault's storage name (IndexedDB database). */
const STORAGE = 'coffer-web-wallet'
const AUTO_LOCK_MS = 5 * 60_000
/** PBKDF2 (WebCrypto, native): fast in every browser. scrypt (the default) would run in a Web Worker. */
const KDF = { name: 'pbkdf2-sha256', iterations: 600_000 } as const

async function getJson<T>(path: string, init?: { method: string; body: string }): Promise<T> {
  const response = await fetch(path, init && { ...init, headers: { 'content-type': 'application/json' } })
  const body = (await response.json()) as T & { error?: string }
  if (!response.ok) throw new Error(body.error ?? `${path}: HTTP ${response.status}`)
  return body
}

function showError(error: unknown): void {
  const el = $('error')
  el.textContent = error instanceof Error ? error.message : String(error)
  el.hidden = false
  console.error(error)
}

// ---------------------------------------------------------------------------------------
// The chain, prices and wallet options (from the server's config)

interface Config {
  evm: { chainId: ChainId; rpcUrl: string; tokens: EvmTokenConfig[] }
  solana: { chainId: ChainId; rpcUrl: string; tokens: SolanaTokenConfig[] }
  tron: { chainId: ChainId; apiUrl: string; tokens: TronTokenConfig[] }
  bitcoin: { chainId: ChainId; esploraUrl: string }
}
const config = await getJson<Config>('/api/config')
const priceTable = await getJson<{ currency: string; prices: Record<string, string> }>('/api/prices')
/** One adapter per chain; the URLs are the server's gateway paths on this origin (in production: your RPC providers). */
const adapters = {
  evm: evm({ chain: config.evm.chainId, rpcUrls: [onThisOrigin(config.evm.rpcUrl)], tokens: config.evm.tokens }),
  solana: solana({ chain: config.solana.chainId, rpcUrls: [onThisOrigin(config.solana.rpcUrl)], tokens: config.solana.tokens }),
  tron: tron({ chain: config.tron.chainId, apiUrls: [onThisOrigin(config.tron.apiUrl)], tokens: config.tron.tokens }),
  bitcoin: bitcoin({ network: 'regtest', esploraUrl: onThisOrigin(config.bitcoin.esploraUrl) }),
}
type Family = keyof typeof adapters
const FAMILIES: readonly Family[] = ['evm', 'solana', 'tron', 'bitcoin']
const CHAIN_NAMES: Record<Family, string> = { evm: 'EVM', solana: 'Solana', tron: 'TRON', bitcoin: 'Bitcoin regtest' }
const familyOf = (chainId: string): Family => FAMILIES.find((f) => config[f].chainId === chainId) ?? 'evm'
const chainName = (chainId: string) => CHAIN_NAMES[familyOf(chainId)]
/** The stablecoins the page can send: `<chainId>|<symbol>`. */
const SENDABLE = [
  ...config.evm.tokens.map((t) => ({ chainId: config.evm.chainId, symbol: t.symbol ?? t.address })),
  ...config.solana.tokens.map((t) => ({ chainId: config.solana.chainId, symbol: t.symbol ?? t.mint })),
  ...config.tron.tokens.map((t) => ({ chainId: config.tron.chainId, symbol: t.symbol ?? t.address })),
]
const options: WalletOpenOptions = {
  storage: browserStorage(STORAGE),
  chains: FAMILIES.map((f) => adapters[f]),
  // coffer's fixed price source over the server's table; `testnets`: the local chains are test networks.
  priceSource: fixedPrices({ currency: priceTable.currency, prices: priceTable.prices, testnets: true }),
  currency: priceTable.currency,
  autoLockMs: AUTO_LOCK_MS,
}

let wallet: Wallet | undefined
const current = (): Wallet => {
  if (!wallet) throw new Error('No wallet yet.')
  return wallet
}

const usd = (value: string | undefined) => (value === undefined ? '–' : `$${Number(value).toFixed(2)}`)
const accountName = (a: { label?: string; index?: number }) =>
  a.label ?? (a.index === 0 || a.index === undefined ? 'Main' : `Account ${a.index}`)
const short = (address: string) => (address.length > 16 ? `${address.slice(0, 8)}…${address.slice(-6)}` : address)
/** The wallet account holding `address`, for naming it. */
const byAddress = (address: string) =>
  current()
    .accounts()
    .find((a) => a.address.toLowerCase() === address.toLowerCase())

// ---------------------------------------------------------------------------------------
// Create / restore, back up, unlock, lock

onClick(
  $('create'),
  async () => {
    const password = $('new-password').value
    if (password.length < 8) throw new Error('Choose a password of at least 8 characters.')
    const phrase = $('restore-phrase').value.trim().replace(/\s+/g, ' ')
    wallet = await Wallet.create({
      ...options,
      password,
      kdf: KDF,
      ...(phrase ? { mnemonic: phrase } : {}),
      policy: { limits: [{ asset: 'USDC', perWindow: $('usdc-limit').value.trim() }] },
    })
    await wallet.account(config.evm.chainId, { index: 1, label: 'Savings' })
    if (phrase) return enterWallet()
    const secret = wallet.vault.listSecrets().find((s) => s.kind === 'mnemonic')
    showBackup(await wallet.vault.revealMnemonic(secret!.id, password))
  },
  showError,
)

/** Shows the new phrase once, then asks for two of its words. */
function showBackup(phrase: string): void {
  let words = phrase.split(' ')
  $('phrase').replaceChildren(...words.map((w) => h('li', { textContent: w })))
  screen('backup', SCREENS)
  const a = Math.floor(Math.random() * words.length)
  const b = (a + 1 + Math.floor(Math.random() * (words.length - 1))) % words.length
  const [first, second] = a < b ? [a, b] : [b, a]
  onClick(
    $('backup-written'),
    () => {
      $('phrase').replaceChildren() // gone from the page: the check is from memory of the copy
      $('backup-written').hidden = true
      $('backup-check').hidden = false
      $('word-a-label').replaceChildren(`Word #${first + 1} `, $('word-a'))
      $('word-b-label').replaceChildren(`Word #${second + 1} `, $('word-b'))
    },
    showError,
  )
  onClick(
    $('backup-confirm'),
    async () => {
      const ok = $('word-a').value.trim().toLowerCase() === words[first] && $('word-b').value.trim().toLowerCase() === words[second]
      $('backup-error').hidden = ok
      $('backup-error').textContent = ok ? '' : 'Those words do not match your phrase. Check your copy.'
      if (!ok) return
      words = []
      await enterWallet()
    },
    showError,
  )
}

onClick(
  $('unlock-button'),
  async () => {
    await current().unlock($('password').value)
    $('password').value = ''
    await enterWallet()
  },
  showError,
)

onClick($('lock'), () => current().lock(), showError)

/** Reflects the lock state (auto-lock happens inside the vault: checked every second). */
function watchLock(): void {
  setInterval(() => {
    if (!wallet) return
    $('lock-state').textContent = wallet.isLocked ? 'Locked' : 'Unlocked'
    $('lock').hidden = wallet.isLocked
    if (wallet.isLocked && !$('wallet').hidden) {
      $('send-card').hidden = true
      $('journal-card').hidden = true
      $('unlock').hidden = false
    }
  }, 1000)
}

// ---------------------------------------------------------------------------------------
// The wallet screen

let started = false

async function enterWallet(): Promise<void> {
  screen('wallet', SCREENS)
  $('send-card').hidden = false
  $('journal-card').hidden = false
  $('error').hidden = true
  if (started) return
  started = true
  const w = current()
  await renderAccounts(sorted(w.accounts()))
  $('send-asset').replaceChildren(
    ...SENDABLE.map((t) => h('option', { value: `${t.chainId}|${t.symbol}`, textContent: `${t.symbol} · ${chainName(t.chainId)}` })),
  )
  $('send-asset').addEventListener('change', () => fillSendFrom())
  fillSendFrom()
  w.on('refresh', (snapshot) => renderPortfolio(snapshot))
  w.on('incoming', (t) => activity(t, 'Received'))
  w.on('outgoing', (t) => activity(t, 'Sent'))
  w.on('error', ({ error }) => showError(error))
  const portfolio = w.portfolio()
  portfolio.watch({ intervalMs: 1000 })
  await refreshHistory()
  await verifyJournal()
}

/** Accounts in chain order (EVM, Solana, TRON, Bitcoin), then by index. */
const sorted = (accounts: WalletAccount[]) =>
  [...accounts].sort((a, b) => FAMILIES.indexOf(familyOf(a.chainId)) - FAMILIES.indexOf(familyOf(b.chainId)) || a.index - b.index)

/**
 * What the account's QR code holds: a payment request for its stablecoin where the chain's URI
 * scheme can name this network (EIP-681 `ethereum:`, BIP-21 `bitcoin:`); Solana Pay and `tron:`
 * URIs name no network, so they are written for mainnet only, and a local chain's QR holds the
 * address alone.
 */
function receiveUri(a: WalletAccount, address: string): string {
  const family = familyOf(a.chainId)
  if (family === 'bitcoin')
    return formatPaymentUri({ scheme: 'bitcoin', chainId: a.chainId, to: address, asset: `${a.chainId}/slip44:1` as AssetId })
  if (family !== 'evm') return address
  const usdc = config.evm.tokens.find((t) => t.symbol === 'USDC')
  return formatPaymentUri({
    scheme: 'ethereum',
    chainId: a.chainId,
    to: address,
    asset: (usdc ? `${a.chainId}/erc20:${usdc.address.toLowerCase()}` : `${a.chainId}/slip44:60`) as AssetId,
  })
}

async function renderAccounts(accounts: WalletAccount[]): Promise<void> {
  const rows = await Promise.all(
    accounts.map(async (a) => {
      // Bitcoin: the first receive address never used on chain (an account has many).
      const address = familyOf(a.chainId) === 'bitcoin' ? (await a.receiveAddress()).address : a.address
      const uri = receiveUri(a, address)
      const qr = h('div', { className: 'qr' })
      qr.innerHTML = await paymentQr(uri)
      const button = h('button', { className: 'secondary', textContent: 'Copy' })
      onClick(button, async () => void (button.textContent = (await copy(address)) ? 'Copied' : 'Copy failed'), showError)
      const row = h(
        'div',
        { className: 'account' },
        qr,
        h(
          'div',
          {},
          h('strong', { textContent: accountName(a) }),
          ` on ${chainName(a.chainId)} `,
          h('span', { className: 'muted', textContent: a.chainId }),
          h('br'),
          h('code', { textContent: address }),
          ' ',
          button,
          h('br'),
          h('span', { className: 'muted mono', textContent: uri === address ? 'QR: the address (this URI scheme is mainnet-only)' : uri }),
        ),
      )
      row.dataset.address = address
      row.dataset.chain = a.chainId
      return row
    }),
  )
  $('accounts').replaceChildren(...rows)
}

/** The accounts that can send the selected asset: those on its chain. */
function fillSendFrom(): void {
  const [chainId] = $('send-asset').value.split('|')
  const accounts = sorted(current().accounts()).filter((a) => a.chainId === chainId)
  $('send-from').replaceChildren(
    ...accounts.map((a) => h('option', { value: a.address, textContent: `${accountName(a)} (${short(a.address)})` })),
  )
}

function renderPortfolio(snapshot: PortfolioSnapshot): void {
  const value = snapshot.value ?? snapshot.testnetValue
  $('total').textContent = usd(value)
  $('total-note').textContent = snapshot.value === undefined ? 'test-network coins, at the demo prices' : ''
  $('totals').replaceChildren(
    h('tr', {}, h('th', { textContent: 'Asset' }), h('th', { textContent: 'Amount' }), h('th', { textContent: 'Value' })),
    ...snapshot.totals.map((t) =>
      h(
        'tr',
        {},
        h('td', { textContent: t.symbol }),
        h('td', { className: 'num', textContent: formatAmount(t.amount, t.decimals) }),
        h('td', { className: 'num', textContent: usd(t.value) }),
      ),
    ),
  )
  $('balances').replaceChildren(
    h('tr', {}, h('th', { textContent: 'Account' }), h('th', { textContent: 'Asset' }), h('th', { textContent: 'Amount' })),
    ...snapshot.balances
      .filter((b) => b.amount !== 0n)
      .map((b) =>
        h(
          'tr',
          {},
          h('td', { textContent: `${accountName(byAddress(b.account) ?? {})} · ${chainName(b.chainId)}` }),
          h('td', { textContent: b.symbol }),
          h('td', { className: 'num', textContent: `${formatAmount(b.amount, b.decimals)}${b.pending !== 0n ? ' (pending)' : ''}` }),
        ),
      ),
  )
}

function activity(t: PortfolioTransfer, verb: string): void {
  const account = accountName(byAddress(t.account) ?? {})
  const line = h('li', {
    textContent: `${verb} ${formatAmount(t.amount, t.decimals)} ${t.symbol} — ${account} (${t.state}, ${short(t.hash)})`,
  })
  const list = $('activity')
  if (list.querySelector('.muted')) list.replaceChildren()
  list.append(line)
  void refreshHistory().catch(showError)
}

async function refreshHistory(): Promise<void> {
  const page = await current().portfolio().history({ limit: 20 })
  $('history').replaceChildren(
    h('tr', {}, ...['Date', 'Account', '', 'Amount', 'Counterparty', 'State'].map((c) => h('th', { textContent: c }))),
    ...page.items.map((i) =>
      h(
        'tr',
        {},
        h('td', { textContent: i.timestamp ? new Date(i.timestamp).toLocaleString() : '–' }),
        h('td', { textContent: accountName(byAddress(i.account) ?? {}) }),
        h('td', { textContent: i.direction }),
        h('td', { className: 'num', textContent: `${formatAmount(i.amount, i.decimals)} ${i.symbol}` }),
        h('td', { className: 'mono', textContent: short(i.direction === 'in' ? i.from : i.to) }),
        h('td', { textContent: i.state }),
      ),
    ),
  )
}

onClick($('history-refresh'), refreshHistory, showError)
onClick($('csv'), async () => download('coffer-history.csv', await current().portfolio().toCSV(), 'text/csv'), showError)

// DEV ONLY: the server's faucet pays test coins and stablecoins on the local chains.
onClick(
  $('faucet'),
  async () => {
    const accounts = sorted(current().accounts())
    const main = (family: Family) => accounts.find((a) => familyOf(a.chainId) === family)!
    const to = {
      evm: main('evm').address,
      solana: main('solana').address,
      tron: main('tron').address,
      bitcoin: (await main('bitcoin').receiveAddress()).address,
    }
    $('faucet-state').textContent = 'Funding…'
    await getJson('/api/faucet', { method: 'POST', body: JSON.stringify(to) })
    $('faucet-state').textContent =
      'Funded the Main accounts: 1 ETH, 1000 USDC, 1000 USDT on EVM; 1 SOL, 500 USDC on Solana; 100 TRX, 500 USDT on TRON; 0.01 BTC.'
  },
  showError,
)

// ---------------------------------------------------------------------------------------
// Send: quote → policy → confirm → broadcast → confirmed

let quote: WalletQuote | undefined

onClick(
  $('quote'),
  async () => {
    $('send-state').textContent = ''
    const [chainId, symbol] = $('send-asset').value.split('|') as [ChainId, string]
    quote = await current().quote({
      from: $('send-from').value,
      to: $('send-to').value.trim(),
      asset: symbol,
      amount: $('send-amount').value.trim(),
      chainId,
    })
    const q = quote
    const to = byAddress(q.to)
    $('quote-text').textContent =
      `Send ${formatAmount(q.amount, q.decimals)} ${q.symbol} to ${to ? accountName(to) : short(q.to)}. ` +
      `Network fee: about ${fee(q.fee.expected, q, false)}, at most ${fee(q.fee.amount, q, true)}, ` +
      `paid in ${q.feeSymbol} by the sending account on top of the amount.`
    const limits = current().policy.limits ?? []
    $('policy-text').textContent = limits.length
      ? `Policy: ${limits.map((l) => `${l.asset} at most ${l.perWindow} per day`).join('; ')}. The policy decides when you press Send.`
      : 'Policy: no limits.'
    $('quote-view').hidden = false
  },
  showError,
)

/** A fee for people: 8 decimals at most (rounded up for a maximum), and its fiat value at the demo prices (display only). */
function fee(units: bigint, q: WalletQuote, up: boolean): string {
  const step = 10n ** BigInt(Math.max(0, q.feeDecimals - 8))
  const rounded = up ? ((units + step - 1n) / step) * step : (units / step) * step
  const text = formatAmount(rounded, q.feeDecimals)
  const price = priceTable.prices[q.feeSymbol]
  return `${text} ${q.feeSymbol}${price ? ` (${usd(String(Number(text) * Number(price)))})` : ''}`
}

/** The confirm dialog: shown only after the policy allowed the payment. */
function confirmDialog(summary: SignSummary): Promise<boolean> {
  const q = quote!
  $('confirm-text').textContent = `Send ${formatAmount(q.amount, q.decimals)} ${q.symbol} to ${summary.to ?? q.to} on ${summary.chainId}?`
  $('confirm-policy').textContent = '✓ Allowed by the policy.'
  const dialog = $('confirm')
  dialog.showModal()
  return new Promise((resolve) => {
    const done = (ok: boolean) => () => {
      dialog.close()
      resolve(ok)
    }
    $('confirm-yes').addEventListener('click', done(true))
    $('confirm-no').addEventListener('click', done(false))
  })
}

onClick(
  $('send'),
  async () => {
    if (!quote) return
    const sentOn = quote.chainId
    const state = $('send-state')
    state.className = 'muted'
    state.textContent = 'Checking the policy…'
    let hash: string
    try {
      hash = await current().send(quote, { confirm: confirmDialog })
    } catch (error) {
      if (!(error instanceof PolicyViolationError)) throw error
      state.className = 'bad'
      const rule = (error.details as { rule?: string }).rule ?? 'policy'
      state.textContent = `Rule "${rule}": ${error.shortMessage} Nothing was signed.`
      await verifyJournal()
      return
    }
    $('quote-view').hidden = true
    quote = undefined
    state.textContent = `Sent ${short(hash)}, waiting for confirmation…`
    const status = await adapters[familyOf(sentOn)].waitForTransaction(hash)
    state.className = status.state === 'confirmed' ? 'ok' : 'bad'
    state.textContent = `Transaction ${short(hash)}: ${status.state}.`
    await verifyJournal()
  },
  showError,
)

// ---------------------------------------------------------------------------------------
// The audit journal

async function verifyJournal(): Promise<void> {
  const journal = current().journal
  const result = await journal.verify()
  const state = $('journal-state')
  state.className = result.ok ? 'ok' : 'bad'
  state.textContent = result.ok
    ? `✓ Journal verified: ${result.count} entries, chain of digests intact.`
    : `✗ Journal FAILED verification: ${result.problems.map((p) => JSON.stringify(p)).join('; ')}`
  const entries = await journal.entries()
  $('journal-entries').replaceChildren(
    ...entries.map((e) =>
      h(
        'li',
        {},
        `${e.time} ${e.kind} ${e.status ?? ''} — ${e.decision.allowed ? 'allowed' : `refused (${e.decision.rule ?? '?'})`}`,
        e.hash ? ` ${short(e.hash)}` : '',
      ),
    ),
  )
}
onClick($('journal-verify'), verifyJournal, showError)

// ---------------------------------------------------------------------------------------
// Start: open the stored wallet (locked), or offer to create one

watchLock()
try {
  wallet = await Wallet.open(options)
  screen('unlock', SCREENS)
} catch (error) {
  if (!(error instanceof VaultNotFoundError)) throw error
  screen('onboard', SCREENS)
}
