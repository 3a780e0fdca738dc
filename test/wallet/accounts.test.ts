/**
 * Wallet accounts on Bitcoin and EVM: `address`, `descriptor`, `receiveAddress()` and
 * `addressAt()`. Addresses are checked against the BIP-84/86 test vectors ("abandon … about")
 * and against an independent derivation (@scure/bip39 + @scure/bip32 for the keys, bitcoinjs-lib
 * for the addresses); discovery runs against the local Esplora server. Old wallet records, which
 * kept a Bitcoin account's descriptor in `address`, are read as the same account.
 */
import { HDKey } from '@scure/bip32'
import { mnemonicToSeedSync } from '@scure/bip39'
import { payments } from 'bitcoinjs-lib'
import { afterEach, describe, expect, it } from 'vitest'
import { DataIntegrityError, InvalidArgumentError, NotSupportedError, RpcError, Wallet, type ChainAdapter } from 'coffer'
import { bitcoin } from 'coffer/bitcoin'
import { evm } from 'coffer/evm'
import { memoryStorage } from 'coffer/vault'
import { NETWORKS, startEsplora, type EsploraServer } from '../support/esplora-server.js'
import { expectOnlyCofferErrors } from '../support/hostile.js'
import vectors from '../vectors/bip-addresses.json'

const FAST_KDF = { name: 'pbkdf2-sha256', iterations: 600_000 } as const
const ABANDON = vectors.bip84.mnemonic
const MAINNET = 'bip122:000000000019d6689c085ae165831e93'
const TESTNET = 'bip122:000000000933ea01ad0ee984209779ba'
const [RECEIVE0, RECEIVE1, CHANGE0] = vectors.bip84.addresses.map((a) => a.address) as [string, string, string]
/** Somewhere else to pay (BIP-86 account 0): not this wallet's P2WPKH account. */
const ELSEWHERE = vectors.bip86.addresses[0]!.address

const root = HDKey.fromMasterSeed(mnemonicToSeedSync(ABANDON))
/** The P2WPKH address at `path`, derived without coffer. */
const p2wpkh = (path: string) => payments.p2wpkh({ pubkey: root.derive(path).publicKey as Uint8Array, network: NETWORKS.mainnet }).address

let servers: EsploraServer[] = []
afterEach(async () => {
  await Promise.all(servers.map((s) => s.stop()))
  servers = []
})

/** A mainnet wallet from "abandon … about" over a local Esplora, plus an offline EVM chain. */
async function bitcoinWallet(options: { storage?: ReturnType<typeof memoryStorage>; chains?: ChainAdapter[] } = {}) {
  const server = await startEsplora({ network: 'mainnet' })
  servers.push(server)
  const btc = bitcoin({ network: 'mainnet', esploraUrl: server.url, esplora: { retryCount: 0, timeoutMs: 2_000 } })
  const storage = options.storage ?? memoryStorage()
  const wallet = await Wallet.create({ storage, password: 'pw', kdf: FAST_KDF, chains: options.chains ?? [btc], mnemonic: ABANDON })
  const account = wallet.accounts().find((a) => a.chainId === MAINNET)!
  return { server, btc, storage, wallet, account }
}

describe('Bitcoin wallet accounts', () => {
  it('address is the first receive address, descriptor names the account (BIP-84 vectors, independent derivation)', async () => {
    const { wallet, account } = await bitcoinWallet()
    expect(account.address).toBe(RECEIVE0)
    const xpub = root.derive(vectors.bip84.accountPath).publicExtendedKey
    expect(account.descriptor).toMatch(new RegExp(`^wpkh\\(\\[73c5da0a/84h/0h/0h\\]${xpub}/<0;1>/\\*\\)#[a-z0-9]{8}$`))
    // The same account while locked, and as wallet.account() returns it.
    wallet.lock()
    expect(wallet.accounts()[0]).toMatchObject({ address: RECEIVE0, descriptor: account.descriptor, index: 0 })
    expect((await wallet.account(MAINNET)).descriptor).toBe(account.descriptor)
  })

  it('addressAt derives receive and change addresses offline, while locked', async () => {
    const { wallet, account, server } = await bitcoinWallet()
    wallet.lock()
    await server.stop()
    expect(account.addressAt(0)).toEqual({ address: RECEIVE0, index: 0, change: false, path: "m/84'/0'/0'/0/0" })
    expect(account.addressAt(1)).toEqual({ address: RECEIVE1, index: 1, change: false, path: "m/84'/0'/0'/0/1" })
    expect(account.addressAt(0, { change: true })).toEqual({ address: CHANGE0, index: 0, change: true, path: "m/84'/0'/0'/1/0" })
    for (const [index, change] of [
      [7, false],
      [1234, false],
      [3, true],
      [2 ** 31 - 1, true],
    ] as const) {
      expect(account.addressAt(index, { change }).address).toBe(p2wpkh(`m/84'/0'/0'/${change ? 1 : 0}/${index}`))
    }
    for (const bad of [-1, 1.5, 2 ** 31, Number.NaN, '1']) expect(() => account.addressAt(bad as number)).toThrow(InvalidArgumentError)
    expect(() => account.addressAt(0, { change: 'yes' as never })).toThrow(InvalidArgumentError)
    await expectOnlyCofferErrors('addressAt', (index, options) => account.addressAt(index, options), [0, { change: true }])
  })

  it('other address types and networks: BIP-86 taproot and BIP-49 testnet vectors', async () => {
    const server = await startEsplora({ network: 'mainnet' })
    servers.push(server)
    const main = bitcoin({ network: 'mainnet', esploraUrl: server.url })
    const test = bitcoin({ network: 'testnet', esploraUrl: 'http://127.0.0.1:9' }) // never called: derivation is offline
    const wallet = await Wallet.create({ storage: memoryStorage(), password: 'pw', kdf: FAST_KDF, chains: [main, test], mnemonic: ABANDON })
    const taproot = await wallet.account(MAINNET, { addressType: 'p2tr' })
    expect(taproot.address).toBe(vectors.bip86.addresses[0]!.address)
    expect(taproot.descriptor).toMatch(/^tr\(\[73c5da0a\/86h\/0h\/0h\]xpub/)
    expect([taproot.addressAt(1).address, taproot.addressAt(0, { change: true }).address]).toEqual(
      vectors.bip86.addresses.slice(1).map((a) => a.address),
    )
    const nested = await wallet.account(TESTNET, { addressType: 'p2sh-p2wpkh' })
    expect(nested.address).toBe(vectors.bip49.addresses[0]!.address)
    expect(nested.addressAt(0).path).toBe(vectors.bip49.addresses[0]!.path)
  })

  it('receiveAddress moves forward as the chain sees receive addresses used', async () => {
    const { account, server } = await bitcoinWallet()
    expect(await account.receiveAddress()).toEqual({ address: RECEIVE0, index: 0, change: false, path: "m/84'/0'/0'/0/0" })
    await server.fund(RECEIVE0, 50_000n)
    expect(await account.receiveAddress()).toMatchObject({ address: RECEIVE1, index: 1 })
    // A payment still in the mempool uses its address too; a change address does not move the receive branch.
    await server.fund(RECEIVE1, 20_000n, { confirmed: false })
    await server.fund(CHANGE0, 10_000n)
    expect(await account.receiveAddress()).toMatchObject({ address: p2wpkh("m/84'/0'/0'/0/2"), index: 2 })
    // The balance is the whole account's, not its first address's.
    const [balance] = await account.balances()
    expect(balance).toMatchObject({ ok: true, address: account.descriptor, amount: 80_000n, pending: 20_000n })
  })

  it("receiveAddress fails typed when the chain is unreachable, and when the adapter gives an address that is not the account's", async () => {
    const { account, server, btc } = await bitcoinWallet()
    await server.stop()
    await expect(account.receiveAddress()).rejects.toBeInstanceOf(RpcError)
    expect(account.addressAt(0).address).toBe(RECEIVE0) // the offline fallback still works

    // An adapter (a plug-in, a bug) naming an address of another key: refused, never shown to a payer.
    const wrap = (override: Record<string, unknown>) =>
      new Proxy(btc, {
        get(target, name) {
          if (typeof name === 'string' && name in override) return override[name]
          const value = Reflect.get(target, name, target) as unknown
          return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
        },
      })
    for (const answer of [{ address: ELSEWHERE, index: 0 }, { address: RECEIVE1, index: 0 }, { address: RECEIVE0, index: -1 }, undefined]) {
      const { account: victim } = await bitcoinWallet({ chains: [wrap({ nextReceiveAddress: async () => answer })] })
      await expect(victim.receiveAddress()).rejects.toBeInstanceOf(DataIntegrityError)
    }
    // One with no discovery at all cannot say which address is unused.
    const { account: unsure } = await bitcoinWallet({ chains: [wrap({ nextReceiveAddress: undefined })] })
    await expect(unsure.receiveAddress()).rejects.toBeInstanceOf(NotSupportedError)
  })

  it('a from given as the account, its descriptor, its address or a CAIP-10 id pays from the whole account', async () => {
    const { wallet, account, server } = await bitcoinWallet()
    await server.fund(RECEIVE0, 60_000n)
    await server.fund(RECEIVE1, 60_000n)
    const request = { to: ELSEWHERE, asset: 'BTC', amount: '0.001' } // needs both coins
    for (const from of [account, account.descriptor!, RECEIVE0, `${MAINNET}:${RECEIVE0}`, undefined]) {
      const quote = await wallet.quote({ ...request, ...(from === undefined ? {} : { from }) })
      expect(quote).toMatchObject({ from: account.descriptor, amount: 100_000n })
    }
    await expect(wallet.quote({ ...request, from: RECEIVE1 })).rejects.toThrow(/not an account of this wallet/)
    // The same key with other branches is not this account (its change would go where discovery never looks).
    const body = account.descriptor!.split('#')[0]!
    await expect(wallet.quote({ ...request, from: body.replace('<0;1>', '<0;5>') })).rejects.toThrow(/not an account of this wallet/)
    expect(await wallet.quote({ ...request, from: body })).toMatchObject({ amount: 100_000n }) // no checksum: the same account
    const hash = await wallet.send(await wallet.quote({ ...request, from: RECEIVE0 }))
    expect(server.utxos(ELSEWHERE)).toEqual([expect.objectContaining({ txid: hash, value: 100_000n })])
    expect((await wallet.journal.entries()).at(-1)).toMatchObject({ status: 'sent', from: account.descriptor, hash })
    // The portfolio follows the whole account too.
    const snapshot = await wallet.portfolio().refresh()
    expect(snapshot.balances).toEqual([expect.objectContaining({ chainId: MAINNET, account: account.descriptor })])
  })

  it('reads a wallet record written before descriptor existed (descriptor in address) as the same account, and saves it in the new form', async () => {
    const { storage, account, btc, wallet } = await bitcoinWallet()
    wallet.lock()
    const stored = JSON.parse((await storage.get('wallet'))!) as { accounts: Record<string, unknown>[] }
    expect(stored.accounts).toEqual([expect.objectContaining({ chainId: MAINNET, address: RECEIVE0, descriptor: account.descriptor })])
    // What earlier versions wrote: the descriptor under `address`, no `descriptor`.
    const old = { ...stored, accounts: stored.accounts.map(({ descriptor, ...rest }) => ({ ...rest, address: descriptor })) }
    await storage.set('wallet', JSON.stringify(old))

    const reopened = await Wallet.open({ storage, chains: [btc] })
    const [migrated] = reopened.accounts()
    expect(migrated).toMatchObject({ chainId: MAINNET, index: 0, address: RECEIVE0, descriptor: account.descriptor })
    expect(migrated!.addressAt(1).address).toBe(RECEIVE1)
    expect(await migrated!.receiveAddress()).toMatchObject({ address: RECEIVE0 })
    // The next save (here: a second account opened) writes every account in the new form.
    await reopened.unlock('pw')
    const second = await reopened.account(MAINNET, { index: 1 })
    expect(second.address).toBe(p2wpkh("m/84'/0'/1'/0/0"))
    const saved = JSON.parse((await storage.get('wallet'))!) as { accounts: Record<string, unknown>[] }
    expect(saved.accounts).toEqual([
      expect.objectContaining({ index: 0, address: RECEIVE0, descriptor: account.descriptor }),
      expect.objectContaining({ index: 1, address: second.address, descriptor: second.descriptor }),
    ])
    // A record whose descriptor is not a string is refused, not guessed at.
    await storage.set('wallet', JSON.stringify({ ...old, accounts: [{ ...old.accounts[0], descriptor: 42 }] }))
    await expect(Wallet.open({ storage, chains: [btc] })).rejects.toBeInstanceOf(InvalidArgumentError)
  })

  it('keeps account options: records from before options (addressType alone, or nothing for the default) read as the same accounts', async () => {
    const { storage, btc, wallet, account } = await bitcoinWallet()
    const taproot = await wallet.account(MAINNET, { addressType: 'p2tr' })
    expect(account).toMatchObject({ options: { addressType: 'p2wpkh' }, addressType: 'p2wpkh' })
    expect(taproot).toMatchObject({ options: { addressType: 'p2tr' }, addressType: 'p2tr' })
    // The same account by the shorthand, by options, or by the default; a conflict is refused.
    expect((await wallet.account(MAINNET, { options: { addressType: 'p2tr' } })).descriptor).toBe(taproot.descriptor)
    expect((await wallet.account(MAINNET, { options: {} })).descriptor).toBe(account.descriptor)
    await expect(wallet.account(MAINNET, { addressType: 'p2tr', options: { addressType: 'p2pkh' } })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    )
    await expect(wallet.account(MAINNET, { options: { addressType: 'p2xx' } })).rejects.toBeInstanceOf(InvalidArgumentError)
    await expect(wallet.account(MAINNET, { options: 'p2tr' as never })).rejects.toBeInstanceOf(InvalidArgumentError)
    await wallet.close()

    // What earlier versions wrote: no options; addressType only where wallet.account() was given one.
    const stored = JSON.parse((await storage.get('wallet'))!) as { accounts: Record<string, unknown>[] }
    const old = {
      ...stored,
      accounts: stored.accounts.map(({ options: _options, addressType, ...rest }, i) => ({ ...rest, ...(i === 0 ? {} : { addressType }) })),
    }
    await storage.set('wallet', JSON.stringify(old))
    const reopened = await Wallet.open({ storage, chains: [btc] })
    expect(reopened.accounts()).toEqual([
      expect.objectContaining({ address: RECEIVE0, descriptor: account.descriptor, options: { addressType: 'p2wpkh' } }),
      expect.objectContaining({ address: taproot.address, descriptor: taproot.descriptor, options: { addressType: 'p2tr' } }),
    ])
    // No duplicate is opened for either, and the next save writes options.
    expect((await reopened.account(MAINNET)).descriptor).toBe(account.descriptor)
    expect((await reopened.account(MAINNET, { addressType: 'p2tr' })).descriptor).toBe(taproot.descriptor)
    await reopened.unlock('pw')
    await reopened.account(MAINNET, { index: 1 })
    const saved = JSON.parse((await storage.get('wallet'))!) as { accounts: Record<string, unknown>[] }
    expect(saved.accounts.map((a) => a.options)).toEqual([{ addressType: 'p2wpkh' }, { addressType: 'p2tr' }, { addressType: 'p2wpkh' }])
    await reopened.close()
  })
})

describe('account-chain wallet accounts', () => {
  it('an EVM account is one address: receiveAddress and addressAt(0) are it; other indexes are other accounts', async () => {
    const chain = evm({ chain: 'eip155:1', rpcUrls: ['http://127.0.0.1:9'] })
    const wallet = await Wallet.create({
      storage: memoryStorage(),
      password: 'pw',
      kdf: FAST_KDF,
      chains: [chain],
      mnemonic: 'test test test test test test test test test test test junk',
    })
    const [account] = wallet.accounts()
    const address = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
    expect(account).toMatchObject({ chainId: 'eip155:1', address })
    expect(account!.descriptor).toBeUndefined()
    expect(await account!.receiveAddress()).toEqual({ address, index: 0, change: false })
    expect(account!.addressAt(0)).toEqual({ address, index: 0, change: false })
    expect(() => account!.addressAt(1)).toThrow(NotSupportedError)
    expect(() => account!.addressAt(1)).toThrow(/wallet\.account\('eip155:1', \{ index \}\)/)
    expect(() => account!.addressAt(0, { change: true })).toThrow(NotSupportedError)
    // Account options of another family are refused, typed.
    await expect(wallet.account('eip155:1', { addressType: 'p2tr' })).rejects.toBeInstanceOf(InvalidArgumentError)
    await expect(wallet.account('eip155:1', { options: { addressType: 'p2tr' } })).rejects.toThrow(/does not apply to EVM accounts/)
    expect(account!.options).toBeUndefined()
  })
})
