/**
 * The Bitcoin adapter against a lying Esplora (the checking test node with answers rewritten on
 * the way out): nothing is signed over a server's word (money-safety rule 9). A coin whose value
 * the server understates, with a fabricated or an honest previous transaction, is refused with
 * DataIntegrityError before any signature, for every non-taproot type; fee rates far above the
 * others or above the ceiling are capped or refused; dust payments are refused at quote time.
 * Assertions are on the honest chain: which broadcasts it saw, what the UTXO set holds.
 */
import { Psbt, Transaction, payments } from 'bitcoinjs-lib'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { deriveAccounts, mnemonicToSeed } from 'coffer/keys'
import { bitcoin, DataIntegrityError, FeeTooHighError, InvalidAmountError } from 'coffer/bitcoin'
import type { EsploraServer } from '../../support/esplora-server.js'
import { NETWORKS } from '../../support/esplora-server.js'
import { ABANDON, regtest, vaultWith } from './helpers.js'

const BTC = 'bip122:0f9188f13cb7b2c71f2a335e3a4fc328/slip44:1'
type Kind = 'p2pkh' | 'p2wpkh' | 'p2sh-p2wpkh'

let servers: EsploraServer[] = []
afterEach(async () => {
  await Promise.all(servers.map((s) => s.stop()))
  servers = []
})
async function setup(options: Parameters<typeof regtest>[0] = {}) {
  const r = await regtest(options)
  servers.push(r.server)
  return r
}

let seed: Uint8Array
beforeAll(async () => {
  seed = await mnemonicToSeed(ABANDON)
})
const stranger = () => deriveAccounts(seed, { chain: 'bitcoin', network: 'regtest', account: 7, count: 1 })[0]!.address
const accountFor = async (addressType: Kind | 'p2tr') => {
  const { vault, id } = await vaultWith()
  return vault.getAccountSigner({ secretId: id, chain: 'bitcoin', network: 'regtest', addressType })
}
const hexOf = (server: EsploraServer, txid: string) => server.transactions().find((t) => t.txid === txid)!.hex

describe('a server that understates a coin is caught before signing', () => {
  it.each(['p2pkh', 'p2wpkh', 'p2sh-p2wpkh'] as const)(
    '%s: a fabricated previous transaction "proving" the lie → DataIntegrityError; nothing signed, nothing moved',
    async (kind) => {
      const { server, adapter } = await setup()
      const account = await accountFor(kind)
      const address = account.child(0, 0).address
      const { txid } = await server.fund(address, 1_000_000n)
      // The lie: the coin is worth 100,000 sat, and here is a transaction that says so (one
      // output value changed: it no longer hashes to the txid). Its input carries no scriptSig, so
      // @scure/btc-signer, which checks only complete transactions, lets it through on its own.
      const fake = Transaction.fromHex(hexOf(server, txid))
      fake.outs[0]!.value = 100_000n
      fake.ins[0]!.script = new Uint8Array(0)
      server.setRewrite(({ path }, { body }) => {
        if (path === `/address/${address}/utxo`) return body.replace('"value":1000000', '"value":100000')
        if (path === `/tx/${txid}/hex`) return fake.toHex()
        return undefined
      })
      const quote = await adapter.quoteTransfer({ from: account.descriptor, to: stranger(), asset: BTC, amount: 50_000n })
      expect(quote.fee.amount).toBeLessThan(10_000n) // the quote believed the server...
      const error = await adapter.sendTransfer(quote, account).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(DataIntegrityError) // ...the build did not
      expect((error as DataIntegrityError).shortMessage).toMatch(new RegExp(`hashes to ${fake.getId()}, not to its txid`))
      expect(server.broadcasts).toEqual([])
      expect(server.utxos(address)).toMatchObject([{ txid, value: 1_000_000n }])
    },
  )

  it.each(['p2pkh', 'p2wpkh', 'p2sh-p2wpkh'] as const)(
    '%s: the honest previous transaction shows another value → DataIntegrityError naming both',
    async (kind) => {
      const { server, adapter } = await setup()
      const account = await accountFor(kind)
      const address = account.child(0, 0).address
      const { txid } = await server.fund(address, 1_000_000n)
      server.setRewrite(({ path }, { body }) =>
        path === `/address/${address}/utxo` ? body.replace('"value":1000000', '"value":100000') : undefined,
      )
      const quote = await adapter.quoteTransfer({ from: account.descriptor, to: stranger(), asset: BTC, amount: 50_000n })
      await expect(adapter.buildTransfer(quote)).rejects.toMatchObject({
        code: 'DATA_INTEGRITY',
        details: { input: `${txid}:0`, actual: 1_000_000n, claimed: 100_000n },
      })
      expect(server.broadcasts).toEqual([])
    },
  )

  it("a coin listed under someone else's output, an output that does not exist, or a previous transaction that is not one → DataIntegrityError", async () => {
    const { server, adapter } = await setup()
    const account = await accountFor('p2wpkh')
    const address = account.child(0, 0).address
    const { txid } = await server.fund(address, 500_000n)
    const other = await server.fund(stranger(), 500_000n) // same value, another owner
    const lies: [string, (path: string, body: string) => string | undefined, RegExp][] = [
      [
        'a stranger’s coin listed as ours',
        (path, body) => (path === `/address/${address}/utxo` ? body.replace(txid, other.txid) : undefined),
        /pays another script/,
      ],
      [
        'an output index past the end',
        (path, body) => (path === `/address/${address}/utxo` ? body.replace('"vout":0', '"vout":5') : undefined),
        /has no output 5/,
      ],
      ['bytes that are not a transaction', (path) => (path === `/tx/${txid}/hex` ? 'deadbeef' : undefined), /does not parse/],
      ['not hex at all', (path) => (path === `/tx/${txid}/hex` ? 'not hex' : undefined), /is not transaction hex/],
    ]
    for (const [name, lie, message] of lies) {
      server.setRewrite(({ path }, { body }) => lie(path, body))
      const quote = await adapter.quoteTransfer({ from: account.descriptor, to: stranger(), asset: BTC, amount: 50_000n })
      const error = await adapter.sendTransfer(quote, account).catch((e: unknown) => e)
      expect(error, name).toBeInstanceOf(DataIntegrityError)
      expect((error as DataIntegrityError).shortMessage, name).toMatch(message)
    }
    expect(server.broadcasts).toEqual([])
    server.clearFaults()
    await expect(
      adapter.sendTransfer(await adapter.quoteTransfer({ from: account.descriptor, to: stranger(), asset: BTC, amount: 50_000n }), account),
    ).resolves.toMatch(/^[0-9a-f]{64}$/)
    expect(
      server
        .utxos(stranger())
        .map((u) => u.value)
        .sort(),
    ).toEqual([50_000n, 500_000n])
  })

  it('segwit v0 inputs carry their whole previous transaction (nonWitnessUtxo, as hardware wallets require), matching the witnessUtxo', async () => {
    const { server, adapter } = await setup()
    for (const kind of ['p2wpkh', 'p2sh-p2wpkh', 'p2pkh'] as const) {
      const account = await accountFor(kind)
      await server.fund(account.child(0, 0).address, 40_000n)
      await server.fund(account.child(0, 1).address, 40_000n)
      const unsigned = await adapter.buildTransfer(
        await adapter.quoteTransfer({ from: account.descriptor, to: stranger(), asset: BTC, amount: 60_000n }),
      )
      const psbt = Psbt.fromBase64(unsigned.payload.psbt as string)
      expect(psbt.inputCount, kind).toBe(2)
      psbt.data.inputs.forEach((input, i) => {
        const prev = Transaction.fromBuffer(input.nonWitnessUtxo!)
        const outpoint = psbt.txInputs[i]!
        expect(prev.getId(), kind).toBe(Buffer.from(outpoint.hash).reverse().toString('hex'))
        if (kind !== 'p2pkh')
          expect(input.witnessUtxo, kind).toEqual({ script: prev.outs[outpoint.index]!.script, value: prev.outs[outpoint.index]!.value })
      })
    }
  })
})

describe('fee rates from the backend are capped', () => {
  it('90,000 sat/vB at every level: FeeTooHighError { rate, ceiling } at quote time; nothing signed; deliberately raising maxFeeRate pays it', async () => {
    const { server, adapter } = await setup()
    const account = await accountFor('p2wpkh')
    const address = account.child(0, 0).address
    await server.fund(address, 50_000_000n)
    server.setFeeEstimates({ '1': 90_000, '3': 90_000, '6': 90_000, '24': 90_000, '144': 90_000 })
    const request = { from: account.descriptor, to: stranger(), asset: BTC, amount: 1_000_000n } as const
    const error = await adapter.quoteTransfer(request).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(FeeTooHighError)
    expect((error as FeeTooHighError).details).toMatchObject({ rate: 90_000n, ceiling: 1_000n, level: 'normal' })
    expect(server.broadcasts).toEqual([])
    expect(server.utxos(address)).toMatchObject([{ value: 50_000_000n }])
    // The owner decides to pay it: the ceiling is an option.
    const willing = bitcoin({ network: 'regtest', esploraUrl: server.url, maxFeeRate: 100_000n })
    const quote = await willing.quoteTransfer(request)
    expect(quote.details.feeRate).toBe('90000')
    expect(Number(quote.fee.amount) / 50_000_000).toBeGreaterThan(0.15) // what used to happen silently
  })

  it('a level far above the one below it is cut to maxFeeRateRatio (default 10×) times it', async () => {
    const { server, adapter } = await setup()
    const account = await accountFor('p2wpkh')
    await server.fund(account.child(0, 0).address, 5_000_000n)
    server.setFeeEstimates({ '1': 90_000, '2': 90_000, '6': 20, '24': 10, '144': 1 })
    const quote = await adapter.quoteTransfer({
      from: account.descriptor,
      to: stranger(),
      asset: BTC,
      amount: 1_000_000n,
      feeLevel: 'fast',
    })
    expect(quote.details.feeRate).toBe('200')
    expect([quote.fees.slow.details, quote.fees.normal.details, quote.fees.fast.details]).toEqual([
      { feeRate: '10' },
      { feeRate: '20' },
      { feeRate: '200' },
    ])
    const txid = await adapter.sendTransfer(quote, account)
    const paid = server.transactions().find((t) => t.txid === txid)!
    expect(paid.fee / BigInt(paid.vsize)).toBeLessThanOrEqual(200n)
    // normal is also cut to 10× slow; a tighter ratio is an option.
    server.setFeeEstimates({ '1': 900, '6': 900, '24': 3 })
    const strict = bitcoin({ network: 'regtest', esploraUrl: server.url, maxFeeRateRatio: 2 })
    const capped = await strict.quoteTransfer({
      from: account.descriptor,
      to: stranger(),
      asset: BTC,
      amount: 10_000n,
      feeLevel: 'fast',
      allowUnconfirmed: true,
    })
    expect([capped.fees.slow.details.feeRate, capped.fees.normal.details.feeRate, capped.fees.fast.details.feeRate]).toEqual([
      '3',
      '6',
      '12',
    ])
  })

  it('speedUp at a fee level above the ceiling is FeeTooHighError; nothing is broadcast', async () => {
    const { server, adapter } = await setup()
    const account = await accountFor('p2wpkh')
    await server.fund(account.child(0, 0).address, 500_000n)
    const txid = await adapter.sendTransfer(
      await adapter.quoteTransfer({ from: account.descriptor, to: stranger(), asset: BTC, amount: 10_000n }),
      account,
    )
    server.setFeeEstimates({ '1': 5_000, '6': 5_000, '24': 5_000 })
    await expect(adapter.speedUp(txid, account)).rejects.toMatchObject({ code: 'FEE_TOO_HIGH', details: { rate: 5_000n, ceiling: 1_000n } })
    expect(server.broadcasts).toHaveLength(1)
  })
})

describe('dust payments are refused at quote time', () => {
  const p2wsh = payments.p2wsh({ hash: Buffer.alloc(32, 7), network: NETWORKS.regtest }).address!
  it.each([
    ['p2pkh', 546],
    ['p2sh', 540],
    ['p2wpkh', 294],
    ['p2wsh', 330],
    ['p2tr', 330],
  ] as const)('%s: below %i sat → InvalidAmountError before any request; at the threshold the node accepts it', async (type, threshold) => {
    const dust = BigInt(threshold)
    const { server, adapter } = await setup()
    const account = await accountFor('p2wpkh')
    await server.fund(account.child(0, 0).address, 100_000n)
    const kinds = { p2pkh: 'p2pkh', p2sh: 'p2sh-p2wpkh', p2wpkh: 'p2wpkh', p2tr: 'p2tr' } as const
    const to =
      type === 'p2wsh'
        ? p2wsh
        : deriveAccounts(seed, { chain: 'bitcoin', network: 'regtest', account: 3, addressType: kinds[type], count: 1 })[0]!.address
    server.resetRequests()
    const error = await adapter.quoteTransfer({ from: account.descriptor, to, asset: BTC, amount: dust - 1n }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InvalidAmountError)
    expect((error as InvalidAmountError).details).toMatchObject({ amount: dust - 1n, dust, outputType: type })
    expect(server.requests).toBe(0)
    const txid = await adapter.sendTransfer(
      await adapter.quoteTransfer({ from: account.descriptor, to, asset: BTC, amount: dust }),
      account,
    )
    expect(server.broadcasts).toMatchObject([{ accepted: true, txid }])
  })
})
