/**
 * Every public function, fed hostile input in every argument position, either answers
 * (validators: false) or throws a CofferError subclass: never a TypeError, a noble Error,
 * a hang or a crash. New exports must be added to the table (the first test checks).
 */
import { describe, expect, it } from 'vitest'
import * as coffer from 'coffer'
import { AuditJournal, CofferError, HDNode, KeyHandle, Portfolio, Vault, Wallet, memoryStorage } from 'coffer'
import { evm } from 'coffer/evm'

const seed = new Uint8Array(32).fill(7)
const node = HDNode.fromSeed(seed)
const pub33 = node.publicKey
const xpub = node.xpub
const phrase = 'legal winner thank year wave sausage worth useful legal winner thank yellow'
const FAST_KDF = { name: 'pbkdf2-sha256', iterations: 600_000 } as const
const vaultStorage = memoryStorage()
const vault = await Vault.create({ storage: vaultStorage, password: 'pw', kdf: FAST_KDF })
const mnemonicId = (await vault.addMnemonic({ mnemonic: phrase })).id
const keystore = await coffer.exportKeystore(new Uint8Array(32).fill(9), 'pw', { scrypt: { N: 16, r: 8, p: 1 } })
const storedVault = (await vaultStorage.get('vault')) as string
// Nothing listens on port 1: reads fail at once with an RpcError.
const offline = evm({ chain: 'eip155:1', rpcUrls: ['http://127.0.0.1:1'], retryCount: 0 })
const portfolioOptions = { adapters: [offline], accounts: ['eip155:1:0x0000000000000000000000000000000000000001' as const] }
const portfolio = new Portfolio(portfolioOptions)
const walletStorage = memoryStorage()
const wallet = await Wallet.create({ storage: walletStorage, password: 'pw', kdf: FAST_KDF, chains: [offline] })
const journal = await AuditJournal.open({ storage: memoryStorage(), sealer: vault.sealer('journal') })
const PAY = 'ethereum:0xdAC17F958D2ee523a2206206994597C13D831ec7/transfer?address=0x0000000000000000000000000000000000000001&uint256=1'
const historyItem = {
  chainId: 'eip155:1',
  hash: '0xab',
  asset: 'eip155:1/slip44:60',
  direction: 'in',
  from: '0x01',
  to: '0x02',
  amount: 5n,
  state: 'confirmed',
  decimals: 18,
}

const BAD: unknown[] = [
  undefined,
  null,
  0,
  -1,
  1.5,
  NaN,
  Infinity,
  2 ** 53,
  10n,
  -10n,
  true,
  '',
  ' ',
  'x',
  '0x',
  'm/',
  '\u0000',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  'a'.repeat(100_000),
  {},
  [],
  [1, 2, 3],
  { toString: () => 'evm' },
  Symbol('s'),
  () => 1,
  new Uint8Array(0),
  new Uint8Array(33),
  new Uint8Array(33).fill(255),
  new Uint8Array(65).fill(4),
  new Uint8Array(100_000),
  new Date(0),
  Object.create(null),
]

type Call = (...args: unknown[]) => unknown
/** Each public function with valid arguments; bad values are substituted one position at a time. */
const TABLE: Record<string, { fn: Call; args: unknown[]; returns?: 'boolean'; throws?: true }> = {
  parseAmount: { fn: coffer.parseAmount as Call, args: ['1.5', 6] },
  formatAmount: { fn: coffer.formatAmount as Call, args: [15n, 1] },
  parseChainId: { fn: coffer.parseChainId as Call, args: ['eip155:1'] },
  formatChainId: { fn: coffer.formatChainId as Call, args: [{ namespace: 'eip155', reference: '1' }] },
  isChainId: { fn: coffer.isChainId as Call, args: ['eip155:1'], returns: 'boolean' },
  parseAccountId: { fn: coffer.parseAccountId as Call, args: ['eip155:1:0xab'] },
  formatAccountId: { fn: coffer.formatAccountId as Call, args: [{ chainId: 'eip155:1', address: '0xab' }] },
  parseAssetId: { fn: coffer.parseAssetId as Call, args: ['eip155:1/slip44:60'] },
  formatAssetId: { fn: coffer.formatAssetId as Call, args: [{ chainId: 'eip155:1', assetNamespace: 'slip44', assetReference: '60' }] },
  generateMnemonic: { fn: coffer.generateMnemonic as Call, args: [{ words: 12 }] },
  validateMnemonic: { fn: coffer.validateMnemonic as Call, args: [phrase, {}], returns: 'boolean' },
  entropyToMnemonic: { fn: coffer.entropyToMnemonic as Call, args: [new Uint8Array(16), {}] },
  mnemonicToEntropy: { fn: coffer.mnemonicToEntropy as Call, args: [phrase, {}] },
  mnemonicToSeed: { fn: coffer.mnemonicToSeed as Call, args: [phrase, { passphrase: '' }] },
  parsePath: { fn: coffer.parsePath as Call, args: ["m/44'/0"] },
  formatPath: { fn: coffer.formatPath as Call, args: [[1, 2]] },
  harden: { fn: coffer.harden as Call, args: [1] },
  isHardened: { fn: coffer.isHardened as Call, args: [1], returns: 'boolean' },
  'HDNode.fromSeed': { fn: HDNode.fromSeed as Call, args: [seed, { format: 'xpub' }] },
  'HDNode.fromExtendedKey': { fn: HDNode.fromExtendedKey as Call, args: [xpub] },
  'HDNode#derive': { fn: (p) => node.derive(p as string), args: ["m/0'"] },
  'HDNode#deriveChild': { fn: (i) => node.deriveChild(i as number), args: [0] },
  deriveEd25519: { fn: coffer.deriveEd25519 as Call, args: [seed, "m/44'/501'/0'"] },
  deriveAccount: { fn: coffer.deriveAccount as Call, args: [seed, { chain: 'evm', index: 0 }] },
  evmSigner: { fn: coffer.evmSigner as Call, args: [seed, { index: 0 }] },
  tronSigner: { fn: coffer.tronSigner as Call, args: [seed, { index: 0 }] },
  deriveAccounts: { fn: coffer.deriveAccounts as Call, args: [seed, { chain: 'bitcoin', start: 0, count: 2 }] },
  isValidAddress: {
    fn: coffer.isValidAddress as Call,
    args: ['bitcoin', 'bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu', { network: 'mainnet' }],
  },
  evmAddressFromPublicKey: { fn: coffer.evmAddressFromPublicKey as Call, args: [pub33] },
  toChecksumAddress: { fn: coffer.toChecksumAddress as Call, args: ['0x52908400098527886e0f7030069857d2e4169ee7'] },
  isValidEvmAddress: { fn: coffer.isValidEvmAddress as Call, args: ['0x52908400098527886E0F7030069857D2E4169EE7'], returns: 'boolean' },
  bitcoinAddressFromPublicKey: { fn: coffer.bitcoinAddressFromPublicKey as Call, args: [pub33, 'p2tr', 'testnet'] },
  decodeBitcoinAddress: { fn: coffer.decodeBitcoinAddress as Call, args: ['bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu', 'mainnet'] },
  isValidBitcoinAddress: {
    fn: coffer.isValidBitcoinAddress as Call,
    args: ['bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu', 'mainnet'],
    returns: 'boolean',
  },
  taprootOutputKey: { fn: coffer.taprootOutputKey as Call, args: [pub33] },
  hash160: { fn: coffer.hash160 as Call, args: [pub33] },
  solanaAddressFromPublicKey: { fn: coffer.solanaAddressFromPublicKey as Call, args: [new Uint8Array(32)] },
  isValidSolanaAddress: { fn: coffer.isValidSolanaAddress as Call, args: ['11111111111111111111111111111111'], returns: 'boolean' },
  tronAddressFromPublicKey: { fn: coffer.tronAddressFromPublicKey as Call, args: [pub33] },
  isValidTronAddress: { fn: coffer.isValidTronAddress as Call, args: ['TUEZSdKsoDHQMeZwihtdoBiN46zxhGWYdH'], returns: 'boolean' },
  descriptorChecksum: { fn: coffer.descriptorChecksum as Call, args: ['raw(deadbeef)'] },
  formatDescriptor: { fn: coffer.formatDescriptor as Call, args: [{ addressType: 'p2wpkh', xpub, branches: [0, 1] }] },
  parseDescriptor: {
    fn: coffer.parseDescriptor as Call,
    args: [coffer.formatDescriptor({ addressType: 'p2wpkh', xpub, branches: [0, 1] })],
  },
  'Vault#getAccountSigner': {
    fn: (o) => vault.getAccountSigner(o as never),
    args: [{ secretId: mnemonicId, chain: 'bitcoin', addressType: 'p2tr', network: 'testnet', account: 1 }],
  },
  'new KeyHandle': {
    fn: (key, err) => new KeyHandle(key as Uint8Array, err as never).use((k) => k.length),
    args: [new Uint8Array(32), undefined],
  },
  'Vault.create': { fn: (o) => Vault.create(o as never), args: [{ storage: memoryStorage(), password: 'pw', kdf: FAST_KDF }] },
  'Vault.open': { fn: (o) => Vault.open(o as never), args: [{ storage: vaultStorage }] },
  'Vault#unlock': { fn: (pw) => vault.unlock(pw as string), args: ['pw'] },
  'Vault#addPrivateKey': {
    fn: (o) => vault.addPrivateKey(o as never),
    args: [{ privateKey: '77'.repeat(32), curve: 'secp256k1', label: 'x' }],
  },
  'Vault#addMnemonic': { fn: (o) => vault.addMnemonic(o as never), args: [{ mnemonic: phrase, label: 'x' }] },
  'Vault#getSigner': { fn: (o) => vault.getSigner(o as never), args: [{ secretId: mnemonicId, chain: 'evm', index: 0 }] },
  'Vault#revealMnemonic': { fn: (id, pw) => vault.revealMnemonic(id as string, pw as string), args: [mnemonicId, 'pw'] },
  'Vault#removeSecret': { fn: (id) => vault.removeSecret(id as string), args: ['ffffffffffffffff'], throws: true },
  parseVaultFile: { fn: coffer.parseVaultFile as Call, args: [storedVault] },
  memoryStorage: { fn: (init) => memoryStorage(init as never).get('vault'), args: [{}] },
  updateStorage: {
    fn: (storage, key, change) => coffer.updateStorage(storage as never, key as string, change as never),
    args: [memoryStorage(), 'record', () => 'value'],
  },
  fileStorage: { fn: (path) => coffer.fileStorage(path as string).get('missing-key'), args: ['/tmp/coffer-bad-input-does-not-exist'] },
  browserStorage: { fn: coffer.browserStorage as Call, args: ['name'], throws: true },
  importKeystore: { fn: coffer.importKeystore as Call, args: [keystore, 'pw'] },
  exportKeystore: { fn: coffer.exportKeystore as Call, args: [new Uint8Array(32).fill(9), 'pw', { scrypt: { N: 16, r: 8, p: 1 } }] },
  importMetaMaskVault: {
    fn: coffer.importMetaMaskVault as Call,
    args: [{ data: 'AAAA', iv: 'AAAAAAAAAAAAAAAAAAAAAA==', salt: 'AAAA' }, 'pw'],
    throws: true,
  },
  'Wallet.create': {
    fn: (o) => Wallet.create(o as never),
    args: [{ storage: memoryStorage(), password: 'pw', kdf: FAST_KDF, chains: [offline] }],
  },
  'Wallet.open': { fn: (o) => Wallet.open(o as never), args: [{ storage: walletStorage, chains: [offline] }] },
  'Wallet#account': { fn: (c, o) => wallet.account(c as never, o as never), args: ['eip155:1', { index: 2 }] },
  'Wallet#quote (node down)': {
    fn: (r) => wallet.quote(r as never),
    args: [{ to: '0x0000000000000000000000000000000000000001', asset: 'ETH', amount: '1' }],
    throws: true,
  },
  'Wallet#send': { fn: (q, o) => wallet.send(q as never, o as never), args: [{}, {}], throws: true },
  'Wallet#signMessage': { fn: (p) => wallet.signMessage(p as never), args: [{ message: 'hi' }] },
  'Wallet#signTypedData': {
    fn: (p) => wallet.signTypedData(p as never),
    args: [{ typedData: { domain: {}, types: { M: [{ name: 'a', type: 'string' }] }, primaryType: 'M', message: { a: 'x' } } }],
  },
  'AuditJournal.open': { fn: (o) => AuditJournal.open(o as never), args: [{ storage: memoryStorage(), sealer: vault.sealer('journal') }] },
  'AuditJournal#append': { fn: (e) => journal.append(e as never), args: [{ kind: 'message', decision: { allowed: true }, note: 'x' }] },
  verifyChain: { fn: coffer.verifyChain as Call, args: [[]] },
  parsePaymentUri: { fn: coffer.parsePaymentUri as Call, args: [PAY, { defaultEvmChainId: 1 }] },
  formatPaymentUri: { fn: coffer.formatPaymentUri as Call, args: [coffer.parsePaymentUri(PAY)] },
  paymentQr: { fn: coffer.paymentQr as Call, args: [PAY, { format: 'svg' }] },
  'new Portfolio': { fn: (o) => new Portfolio(o as never), args: [portfolioOptions] },
  'Portfolio#refresh (node down: stale, not thrown)': { fn: () => portfolio.refresh(), args: [] },
  'Portfolio#history': { fn: (o) => portfolio.history(o as never), args: [{ limit: 5 }], throws: true },
  'Portfolio#toCSV': { fn: (o) => portfolio.toCSV(o as never), args: [{ maxItems: 5 }], throws: true },
  'Portfolio#watch': { fn: (o) => (portfolio.watch(o as never), portfolio.stop()), args: [{ intervalMs: 1000 }] },
  'Portfolio#on': { fn: (e, l) => portfolio.on(e as never, l as never)(), args: ['change', () => undefined] },
  fixedPrices: {
    fn: (o, ids, c) => coffer.fixedPrices(o as never).getPrices(ids as never, c as string),
    args: [{ prices: { USDT: '1' } }, ['eip155:1/slip44:60'], 'usd'],
  },
  httpPrices: {
    fn: (o, ids, c) => coffer.httpPrices(o as never).getPrices(ids as never, c as string),
    args: [{ baseUrl: 'http://127.0.0.1:1', timeoutMs: 500 }, ['eip155:1/slip44:60'], 'usd'],
    throws: true,
  },
  knownFamily: { fn: coffer.knownFamily as Call, args: ['eip155:1/slip44:60'] },
  registerChainFamily: { fn: coffer.registerChainFamily as Call, args: [coffer.chainFamily('eip155:1')] },
  chainFamily: { fn: coffer.chainFamily as Call, args: ['bip122:000000000019d6689c085ae165831e93'] },
  findChainFamily: { fn: coffer.findChainFamily as Call, args: ['eip155:137'] },
  chainFamilies: { fn: coffer.chainFamilies as Call, args: [] },
  namespaceOf: { fn: coffer.namespaceOf as Call, args: ['eip155:1'] },
  formatCsv: { fn: coffer.formatCsv as Call, args: [[['a', 'b']], { protectFormulas: true }] },
  parseCsv: { fn: coffer.parseCsv as Call, args: ['a,b\r\n', { expectColumns: 2 }] },
  historyToCsv: { fn: coffer.historyToCsv as Call, args: [[historyItem]] },
  parseHistoryCsv: { fn: coffer.parseHistoryCsv as Call, args: [coffer.historyToCsv([historyItem as never])] },
}

describe('bad-input table', () => {
  it('covers every exported function', () => {
    const functions = Object.entries(coffer)
      .filter(
        ([name, value]) =>
          typeof value === 'function' &&
          !/Error$/.test(name) &&
          !['HDNode', 'Vault', 'KeyHandle', 'Portfolio', 'Wallet', 'AuditJournal'].includes(name),
      )
      .map(([name]) => name)
    const covered = new Set(Object.keys(TABLE))
    expect(functions.filter((name) => !covered.has(name))).toEqual([])
  })

  for (const [name, { fn, args, returns, throws }] of Object.entries(TABLE)) {
    it(`${name}: valid arguments ${throws ? 'fail only with a CofferError' : 'work'}`, async () => {
      if (throws) await expect(Promise.resolve().then(() => fn(...args))).rejects.toBeInstanceOf(CofferError)
      else await fn(...args)
    })

    it(`${name}: hostile arguments give a CofferError or a clean answer`, async () => {
      const positions = Math.max(args.length, 1)
      for (let position = 0; position < positions; position++) {
        for (const bad of BAD) {
          const callArgs = [...args]
          callArgs[position] = bad
          let result: unknown
          try {
            result = await fn(...callArgs)
          } catch (error) {
            if (!(error instanceof CofferError)) {
              throw new Error(`${name} arg ${position} = ${describeValue(bad)} threw ${String(error)}`)
            }
            expect(error.code).toMatch(/^[A-Z_]+$/)
            continue
          }
          if (returns === 'boolean') expect(typeof result).toBe('boolean')
        }
      }
    })
  }
})

function describeValue(value: unknown): string {
  if (typeof value === 'symbol' || typeof value === 'function') return typeof value
  if (typeof value === 'bigint') return `${value}n`
  if (value instanceof Uint8Array) return `Uint8Array(${value.length})`
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 20))
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return Object.prototype.toString.call(value)
  }
}
