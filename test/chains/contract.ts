/**
 * The ChainAdapter conformance suite: the same cases against every chain family. A family's
 * `conformance.test.ts` supplies a {@link ChainHarness} (its real or local node, funding,
 * mining, fault layer) and calls {@link describeChainAdapter}. Every case asserts outcomes on
 * the node itself — balances moved by exactly amount + fee, one payment and not two, nothing
 * broadcast — not only what the adapter returned. The contract is src/chains/adapter.ts and
 * docs/chain-adapter.md; where a case fails, the adapter (or the contract's text) is wrong.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  BroadcastUnknownError,
  DeadlineExceededError,
  DiscoveryLimitError,
  InsufficientFundsError,
  InvalidAddressError,
  InvalidArgumentError,
  NotSupportedError,
  RpcError,
  TransactionTimeoutError,
  type AdapterCapabilities,
  type ChainAdapter,
  type HistoryItem,
  type TransactionStatus,
  type TransferQuote,
} from 'coffer'
import type { AccountSigner, Signer } from 'coffer/keys'

/** A fresh account on the harness's node. */
export interface HarnessAccount {
  /** What `TransferRequest.from` takes: an EVM address, a Bitcoin output descriptor. */
  readonly from: string
  /** A receive address of the account: what a payer sends to and `getBalances` reads. */
  readonly address: string
  readonly signer: Signer | AccountSigner
}

/** A node the cases drive, and an adapter on it. */
export interface HarnessNode {
  readonly adapter: ChainAdapter
  /** An account nobody else uses, without funds. */
  newAccount(): Promise<HarnessAccount>
  /** Gives a fresh address `amount` base units of the native coin, spendable at once. */
  fund(address: string, amount: bigint): Promise<void>
  /** Mines `blocks` blocks (default 1), confirming whatever is pending. */
  mine(blocks?: number): Promise<void>
  /** The native balance of an account (`from`) or an address, read from the node itself, never through the adapter. */
  balanceOf(fromOrAddress: string): Promise<bigint>
  /** The fee the node says transaction `hash` paid. */
  feePaid(hash: string): Promise<bigint>
  /** Transactions the node holds (mined or pending) that spend the account's funds; replaced ones are gone. */
  sentCount(from: string): Promise<number>
}

/** How a faulty node misbehaves. */
export type FaultKind =
  /** The node takes the broadcast, then answers HTTP 500; lookups by hash answer honestly. */
  | 'lost-answer'
  /** The node takes the broadcast, then answers HTTP 500; every lookup by hash fails too. */
  | 'lost-everything'
  /** No request is ever answered. */
  | 'silent'

/** An adapter on the harness's node behind a fault layer (funding, mining, reads: the harness's own). */
export interface FaultyNode {
  readonly adapter: ChainAdapter
  /** The adapter's overall deadline: no call may take much longer. */
  readonly deadlineMs: number
  /** Ends the fault: the node answers honestly again. */
  heal(): Promise<void>
  close(): Promise<void>
}

/** Counts the HTTP requests an adapter makes to its node. */
interface RoundTrips {
  readonly adapter: ChainAdapter
  count(): number
  reset(): void
  /** The documented most HTTP requests of one `getBalances` of `n` addresses and every asset. */
  balancesMax(n: number): number
}

/** A node that leaves transactions pending until `mine()`, or why the harness cannot make one. */
type Replaceable = (HarnessNode & { close(): Promise<void> }) | { readonly unavailable: string }

/** What a harness's `setup()` gives the cases. */
export interface HarnessContext extends HarnessNode {
  /** What `fund` gives a case's account and what a case sends (base units of the native coin). */
  readonly amounts: { readonly fund: bigint; readonly send: bigint }
  /** True where a transaction's fee is fixed when it is signed (UTXO chains): the fee paid is exactly the quoted one. */
  readonly feeFixedAtSigning: boolean
  /** Strings `isValidAddress` must refuse: bad checksums, other networks, other families. */
  readonly invalidAddresses: readonly string[]
  /**
   * False for address formats without a checksum (Solana: base58 of 32 bytes), where an address
   * with its last character cut off may still name 32 bytes; the suite then skips that sample.
   */
  readonly addressesHaveChecksum?: boolean
  /** A well-formed transaction hash the node never saw. */
  readonly unknownHash: string
  readonly roundTrips: RoundTrips
  /** Samples to sign where `capabilities.signMessage` / `signTypedData` say so. */
  readonly messageToSign?: string | Uint8Array
  readonly typedDataToSign?: unknown
  /** Checks a signature of the sample (`what`) by `account` with an independent library. */
  verifySignature?(account: HarnessAccount, what: 'message' | 'typedData', signature: string): Promise<boolean>
  faulty(kind: FaultKind): Promise<FaultyNode>
  replaceable(): Promise<Replaceable>
  teardown(): Promise<void>
}

/** A chain family's way into the suite. */
export interface ChainHarness {
  readonly name: string
  setup(): Promise<HarnessContext>
}

const CAPABILITIES: readonly (keyof AdapterCapabilities)[] = [
  'mempool',
  'history',
  'replaceTransaction',
  'cancelTransaction',
  'signMessage',
  'signTypedData',
  'sendMax',
  'tokens',
  'balancesAt',
  'transfers',
  'stablecoinGas',
]
/** CAIP-2 and CAIP-19 as their specs write them. */
const CAIP2 = /^[-a-z0-9]{3,8}:[-_a-zA-Z0-9]{1,32}$/
const CAIP19 = /^[-a-z0-9]{3,8}:[-_a-zA-Z0-9]{1,32}\/[-a-z0-9]{3,8}:[-.%a-zA-Z0-9]{1,128}$/
/** Slack on top of a deadline for the event loop and the test's own reads. */
const GRACE_MS = 1_500

/** Runs `task` with the network cut (every fetch refused) and checks it asked for nothing. */
async function offline<T>(task: () => Promise<T>): Promise<T> {
  const real = globalThis.fetch
  const asked: string[] = []
  globalThis.fetch = ((input: unknown) => {
    asked.push(String(input))
    return Promise.reject(new Error('offline: no network here'))
  }) as typeof fetch
  try {
    return await task()
  } finally {
    globalThis.fetch = real
    expect(asked, 'requests made by an offline call').toEqual([])
  }
}

/** The outcome of `call` and how long it took; gives up waiting at `boundMs` + GRACE_MS. */
async function timed(call: () => Promise<unknown>, boundMs: number): Promise<{ error?: unknown; ms: number; finished: boolean }> {
  const start = Date.now()
  let timer: ReturnType<typeof setTimeout> | undefined
  const outcome = await Promise.race([
    call().then(
      () => ({ finished: true }),
      (error: unknown) => ({ finished: true, error }),
    ),
    new Promise<{ finished: false }>((resolve) => (timer = setTimeout(() => resolve({ finished: false }), boundMs + GRACE_MS))),
  ])
  clearTimeout(timer)
  return { ...outcome, ms: Date.now() - start }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${String(value)}`)
    },
    (error: unknown) => error,
  )
}

/** Pays `amount` from `from` to `to` through `node.adapter`, mines, waits. */
async function pay(
  node: HarnessNode,
  from: HarnessAccount,
  to: string,
  amount: bigint | 'max',
): Promise<{ quote: TransferQuote; hash: string; status: TransactionStatus }> {
  const { adapter } = node
  const quote = await adapter.quoteTransfer({ from: from.from, to, asset: adapter.nativeAsset, amount })
  const hash = await adapter.sendTransfer(quote, from.signer)
  await node.mine(1)
  const status = await adapter.waitForTransaction(hash, { timeoutMs: 15_000, pollIntervalMs: 50 })
  return { quote, hash, status }
}

/**
 * Registers the conformance cases for `harness`'s adapter. Each case uses fresh accounts, so it
 * stays independent of other test files sharing the node.
 */
export function describeChainAdapter(harness: ChainHarness): void {
  describe(`ChainAdapter conformance: ${harness.name}`, () => {
    let ctx: HarnessContext
    const open: { close(): Promise<void> }[] = []
    beforeAll(async () => {
      ctx = await harness.setup()
    }, 60_000)
    afterEach(async () => {
      for (const node of open.splice(0)) await node.close()
    })
    afterAll(async () => {
      await ctx?.teardown()
    })
    const funded = async (node: HarnessNode = ctx, amount = ctx.amounts.fund) => {
      const account = await node.newAccount()
      await node.fund(account.address, amount)
      return account
    }
    const faulty = async (kind: FaultKind) => {
      const node = await ctx.faulty(kind)
      open.push(node)
      return node
    }

    it('assets and ids are well-formed', async () => {
      const { adapter } = ctx
      expect(adapter.chainId).toMatch(CAIP2)
      expect(adapter.nativeAsset).toMatch(CAIP19)
      expect(adapter.nativeAsset.startsWith(`${adapter.chainId}/`)).toBe(true)
      expect(adapter.testnet, 'a local node is a test network').toBe(true)
      expect(Object.keys(adapter.capabilities).sort()).toEqual([...CAPABILITIES].sort())
      for (const key of CAPABILITIES) expect(typeof adapter.capabilities[key], key).toBe('boolean')
      const assets = await adapter.assets()
      expect(assets[0], 'the native coin comes first').toMatchObject({ id: adapter.nativeAsset, chainId: adapter.chainId, kind: 'native' })
      expect(new Set(assets.map((a) => a.id)).size).toBe(assets.length)
      for (const asset of assets) {
        expect(asset.id).toMatch(CAIP19)
        expect(asset.id.startsWith(`${adapter.chainId}/`), asset.id).toBe(true)
        expect(asset.chainId).toBe(adapter.chainId)
        expect(asset.symbol.length, asset.id).toBeGreaterThan(0)
        expect(asset.name.length, asset.id).toBeGreaterThan(0)
        expect(Number.isSafeInteger(asset.decimals) && asset.decimals >= 0 && asset.decimals <= 36, asset.id).toBe(true)
        expect(asset.unverified, 'assets() never lists a token only looked up on chain').toBeFalsy()
        if (asset.kind === 'token')
          expect(adapter.isValidAddress(asset.address ?? ''), `${asset.id} has a valid contract address`).toBe(true)
        else expect(asset.id).toBe(adapter.nativeAsset)
      }
      const account = await ctx.newAccount()
      expect(adapter.isValidAddress(account.address)).toBe(true)
    })

    it('invalid addresses are refused: isValidAddress never throws, calls reject them before any request', async () => {
      const { adapter, roundTrips } = ctx
      const account = await ctx.newAccount()
      const junk: unknown[] = [
        '',
        ' ',
        'not an address',
        `${account.address} `,
        ` ${account.address}`,
        ...(ctx.addressesHaveChecksum === false ? [] : [account.address.slice(0, -1)]),
        12345,
        null,
        undefined,
        {},
        ['x'],
      ]
      for (const bad of [...ctx.invalidAddresses, ...junk]) {
        expect(() => adapter.isValidAddress(bad as string), String(bad)).not.toThrow()
        expect(adapter.isValidAddress(bad as string), String(bad)).toBe(false)
      }
      const counted = roundTrips.adapter
      const refused = (error: unknown) => error instanceof InvalidAddressError || error instanceof InvalidArgumentError
      for (const bad of ctx.invalidAddresses) {
        roundTrips.reset()
        const calls: [string, () => Promise<unknown>][] = [
          ['getBalances', () => counted.getBalances({ addresses: [account.address, bad] })],
          [
            'quoteTransfer to',
            () => counted.quoteTransfer({ from: account.from, to: bad, asset: counted.nativeAsset, amount: ctx.amounts.send }),
          ],
          [
            'quoteTransfer from',
            () => counted.quoteTransfer({ from: bad, to: account.address, asset: counted.nativeAsset, amount: ctx.amounts.send }),
          ],
          ...(counted.capabilities.history ? [['getHistory', () => counted.getHistory(bad)] as [string, () => Promise<unknown>]] : []),
        ]
        for (const [name, call] of calls) {
          const error = await rejection(call())
          expect(refused(error), `${name}(${bad}): InvalidAddressError or InvalidArgumentError, got ${String(error)}`).toBe(true)
        }
        expect(roundTrips.count(), `requests sent for ${bad}`).toBe(0)
      }
    })

    it('balances of many addresses: the documented number of round trips, address × asset order, one block, matching the node', async () => {
      const { roundTrips } = ctx
      const adapter = roundTrips.adapter
      const accounts = await Promise.all(Array.from({ length: 12 }, () => ctx.newAccount()))
      const addresses = accounts.map((a) => a.address)
      for (const [i, address] of addresses.entries()) if (i % 3 !== 2) await ctx.fund(address, ctx.amounts.send * BigInt(i + 1))
      const assets = await adapter.assets()
      roundTrips.reset()
      const balances = await adapter.getBalances({ addresses })
      expect(roundTrips.count(), 'HTTP requests for 12 addresses × every asset').toBeLessThanOrEqual(
        roundTrips.balancesMax(addresses.length),
      )
      expect(balances).toHaveLength(addresses.length * assets.length)
      expect(new Set(balances.map((b) => b.blockHeight)).size, 'read at one block').toBe(1)
      for (const [i, address] of addresses.entries()) {
        for (const [j, asset] of assets.entries()) {
          const entry = balances[i * assets.length + j]!
          expect(entry, `${address} × ${asset.id}`).toMatchObject({ ok: true, address, asset: asset.id, decimals: asset.decimals })
          if (entry.ok && asset.kind === 'native') expect(entry.amount, address).toBe(await ctx.balanceOf(address))
        }
      }
      const native = await adapter.getBalances({ addresses, assets: [adapter.nativeAsset] })
      expect(native.map((b) => (b.ok ? b.amount : b.error))).toEqual(
        addresses.map((_, i) => (i % 3 === 2 ? 0n : ctx.amounts.send * BigInt(i + 1))),
      )
    })

    it('quote → build → JSON round trip → offline sign → broadcast → wait: confirmed with its fee; balances moved by exactly amount + fee', async () => {
      const { adapter, amounts } = ctx
      const alice = await funded()
      const bob = await ctx.newAccount()
      await ctx.mine(1)
      const before = await ctx.balanceOf(alice.from)
      const quote = await adapter.quoteTransfer({ from: alice.from, to: bob.address, asset: adapter.nativeAsset, amount: amounts.send })
      expect(quote).toMatchObject({
        chainId: adapter.chainId,
        from: alice.from,
        to: bob.address,
        asset: adapter.nativeAsset,
        amount: amounts.send,
        feeLevel: 'normal',
      })
      // `details` is chain-specific pricing (the chosen quote may say more, e.g. its vsize); the money must agree.
      expect(quote.fee).toMatchObject({
        level: 'normal',
        amount: quote.fees.normal.amount,
        expected: quote.fees.normal.expected,
        asset: quote.fees.normal.asset,
      })
      expect(quote.fee.asset).toBe(adapter.nativeAsset)
      expect(quote.fee.amount).toBeGreaterThan(0n)
      expect(quote.fee.expected).toBeLessThanOrEqual(quote.fee.amount)
      expect(quote.fees.slow.amount).toBeLessThanOrEqual(quote.fees.normal.amount)
      expect(quote.fees.normal.amount).toBeLessThanOrEqual(quote.fees.fast.amount)

      const unsigned = await adapter.buildTransfer(quote)
      expect(unsigned).toMatchObject({ chainId: adapter.chainId, from: alice.from })
      expect(unsigned.summary).toMatchObject({
        to: bob.address,
        asset: adapter.nativeAsset,
        amount: String(amounts.send),
        fee: String(quote.fee.amount),
      })
      const travelled = JSON.parse(JSON.stringify(unsigned)) as typeof unsigned
      expect(travelled, 'the unsigned transaction is plain JSON').toEqual(unsigned)
      const signed = await offline(() => adapter.signTransaction(travelled, alice.signer))
      const again = await offline(() => adapter.signTransaction(unsigned, alice.signer))
      expect(signed).toMatchObject({ chainId: adapter.chainId, from: alice.from, hash: again.hash })
      expect(typeof signed.raw === 'string' && signed.raw.length > 0).toBe(true)
      expect(JSON.parse(JSON.stringify(signed))).toEqual(signed)

      expect(await adapter.broadcast(signed)).toBe(signed.hash)
      expect(['pending', 'confirmed']).toContain((await adapter.getTransaction(signed.hash)).state)
      await ctx.mine(1)
      const status = await adapter.waitForTransaction(signed.hash, { timeoutMs: 15_000, pollIntervalMs: 50 })
      expect(status).toMatchObject({ hash: signed.hash, state: 'confirmed', fee: { asset: adapter.nativeAsset } })
      expect(status.confirmations).toBeGreaterThanOrEqual(1)
      expect(status.blockHash).toBe((await adapter.blockAt(status.blockHeight!)).hash)
      const fee = status.fee!.amount
      expect(fee, 'the fee the node says was paid').toBe(await ctx.feePaid(signed.hash))
      expect(fee).toBeLessThanOrEqual(quote.fee.amount)
      if (ctx.feeFixedAtSigning) expect(fee).toBe(quote.fee.amount)
      expect(before - (await ctx.balanceOf(alice.from)), 'the sender paid amount + fee').toBe(amounts.send + fee)
      expect(await ctx.balanceOf(bob.address), 'the recipient got the amount').toBe(amounts.send)
      expect(await ctx.sentCount(alice.from)).toBe(1)
      expect(await adapter.getTransaction(signed.hash)).toMatchObject({
        state: 'confirmed',
        blockHeight: status.blockHeight,
        fee: { amount: fee },
      })
      const [read] = await adapter.getBalances({ addresses: [bob.address], assets: [adapter.nativeAsset] })
      expect(read).toMatchObject({ ok: true, amount: amounts.send })
    })

    it('insufficient funds is refused at the quote, before anything is signed; nothing reaches the node', async () => {
      const { adapter, amounts } = ctx
      const alice = await funded()
      const empty = await ctx.newAccount()
      const bob = await ctx.newAccount()
      await ctx.mine(1)
      const before = { balance: await ctx.balanceOf(alice.from), sent: await ctx.sentCount(alice.from) }
      for (const [who, amount] of [
        [alice, amounts.fund],
        [alice, amounts.fund + 1n],
        [empty, amounts.send],
      ] as const) {
        const error = await rejection(adapter.quoteTransfer({ from: who.from, to: bob.address, asset: adapter.nativeAsset, amount }))
        expect(error, `${amount} from ${who === empty ? 'an empty account' : 'an account holding ' + String(amounts.fund)}`).toBeInstanceOf(
          InsufficientFundsError,
        )
      }
      expect(await ctx.balanceOf(alice.from)).toBe(before.balance)
      expect(await ctx.sentCount(alice.from)).toBe(before.sent)
      expect(await ctx.sentCount(empty.from)).toBe(0)
      expect(await ctx.balanceOf(bob.address)).toBe(0n)
    })

    it("'max' sends everything left after the fee", async () => {
      const { adapter } = ctx
      const alice = await funded()
      const bob = await ctx.newAccount()
      await ctx.mine(1)
      if (!adapter.capabilities.sendMax) {
        await expect(
          adapter.quoteTransfer({ from: alice.from, to: bob.address, asset: adapter.nativeAsset, amount: 'max' }),
        ).rejects.toBeInstanceOf(NotSupportedError)
        return
      }
      const before = await ctx.balanceOf(alice.from)
      const { quote, status } = await pay(ctx, alice, bob.address, 'max')
      expect(quote.amount).toBe(before - quote.fee.amount)
      expect(status.state).toBe('confirmed')
      expect(await ctx.balanceOf(bob.address)).toBe(quote.amount)
      expect(await ctx.balanceOf(alice.from), 'what is left: the fee bound minus the fee paid').toBe(quote.fee.amount - status.fee!.amount)
    })

    it('history pages newest first with a cursor; a transfer scan names blocks the chain has', async () => {
      const { adapter, amounts } = ctx
      const alice = await funded()
      const bob = await ctx.newAccount()
      await ctx.mine(1)
      const first = await pay(ctx, alice, bob.address, amounts.send)
      const second = await pay(ctx, alice, bob.address, amounts.send / 2n)
      if (!adapter.capabilities.history) {
        await expect(adapter.getHistory(alice.from)).rejects.toBeInstanceOf(NotSupportedError)
      } else {
        const full = await adapter.getHistory(alice.from)
        const walked: HistoryItem[] = []
        let cursor: string | undefined
        for (let page = 0; page < 20; page++) {
          const got = await adapter.getHistory(alice.from, { limit: 1, ...(cursor === undefined ? {} : { cursor }) })
          expect(got.items.length).toBeLessThanOrEqual(1)
          walked.push(...got.items)
          cursor = got.cursor
          if (cursor === undefined) break
          expect(typeof cursor).toBe('string')
        }
        expect(cursor, 'the last page has no cursor').toBeUndefined()
        expect(walked.map((i) => i.hash)).toEqual(full.items.map((i) => i.hash))
        expect(
          walked.slice(0, 2).map((i) => i.hash),
          'newest first',
        ).toEqual([second.hash, first.hash])
        for (const [item, sent] of [
          [walked[0]!, second],
          [walked[1]!, first],
        ] as const) {
          expect(item).toMatchObject({
            chainId: adapter.chainId,
            asset: adapter.nativeAsset,
            direction: 'out',
            from: alice.from,
            to: bob.address,
            amount: sent.quote.amount,
            state: 'confirmed',
            blockHeight: sent.status.blockHeight,
          })
          if (item.fee) expect(item.fee).toEqual(sent.status.fee)
        }
        const heights = walked.flatMap((i) => (i.blockHeight === undefined ? [] : [i.blockHeight]))
        expect(heights).toEqual([...heights].sort((a, b) => b - a))
        await expect(adapter.getHistory(alice.from, { cursor: 'not a cursor of this adapter' })).rejects.toBeInstanceOf(
          InvalidArgumentError,
        )
      }
      const range = {
        addresses: [alice.address, bob.address],
        assets: [adapter.nativeAsset],
        fromBlock: first.status.blockHeight!,
        toBlock: second.status.blockHeight!,
      }
      if (!adapter.capabilities.transfers) {
        await expect(adapter.getTransfers(range)).rejects.toBeInstanceOf(NotSupportedError)
        return
      }
      const scan = await adapter.getTransfers(range)
      expect(typeof scan.complete).toBe('boolean')
      const order = scan.transfers.map((t) => [t.blockHeight, t.index])
      expect(order).toEqual([...order].sort(([h1, i1], [h2, i2]) => h1! - h2! || i1! - i2!))
      for (const t of scan.transfers) {
        expect(t.chainId).toBe(adapter.chainId)
        expect(t.blockHeight).toBeGreaterThanOrEqual(range.fromBlock)
        expect(t.blockHeight).toBeLessThanOrEqual(range.toBlock)
        expect(t.blockHash).toBe((await adapter.blockAt(t.blockHeight)).hash)
      }
      if (scan.complete) {
        expect(scan.transfers.map((t) => [t.hash, t.amount])).toEqual([
          [first.hash, first.quote.amount],
          [second.hash, second.quote.amount],
        ])
      }
      await expect(adapter.getTransfers({ ...range, fromBlock: range.toBlock + 1, toBlock: range.toBlock })).rejects.toBeInstanceOf(
        InvalidArgumentError,
      )
    })

    it('latestBlock and blockAt agree, and blocks chain by parent hash', async () => {
      const { adapter } = ctx
      const latest = await adapter.latestBlock()
      expect(Number.isSafeInteger(latest.height) && latest.height > 0).toBe(true)
      expect(latest.timestamp, 'milliseconds since epoch').toBeGreaterThan(1_000_000_000_000)
      expect(latest.timestamp).toBeLessThan(Date.now() + 86_400_000)
      expect(await adapter.blockAt(latest.height)).toEqual(latest)
      const parent = await adapter.blockAt(latest.height - 1)
      expect(parent).toMatchObject({ height: latest.height - 1, hash: latest.parentHash })
      expect((await adapter.blockAt(0)).height).toBe(0)
      await ctx.mine(2)
      const next = await adapter.latestBlock()
      expect(next.height).toBeGreaterThanOrEqual(latest.height + 2)
      for (let h = next.height; h > latest.height; h--) {
        const [block, below] = await Promise.all([adapter.blockAt(h), adapter.blockAt(h - 1)])
        expect(block.parentHash, `block ${h}`).toBe(below.hash)
      }
      expect((await adapter.blockAt(latest.height)).hash).toBe(latest.hash)
      for (const bad of [-1, 1.5, Number.NaN, '1' as unknown as number])
        await expect(adapter.blockAt(bad), String(bad)).rejects.toBeInstanceOf(InvalidArgumentError)
    })

    const honest: Record<keyof AdapterCapabilities, (granted: boolean) => Promise<void>> = {
      history: async (granted) => {
        const account = await ctx.newAccount()
        if (granted) expect(Array.isArray((await ctx.adapter.getHistory(account.from)).items)).toBe(true)
        else await expect(ctx.adapter.getHistory(account.from)).rejects.toBeInstanceOf(NotSupportedError)
      },
      replaceTransaction: async (granted) => {
        // The contract: InvalidArgumentError for a hash the adapter did not broadcast (the call exists).
        const account = await ctx.newAccount()
        await expect(ctx.adapter.replaceTransaction(ctx.unknownHash, account.signer)).rejects.toBeInstanceOf(
          granted ? InvalidArgumentError : NotSupportedError,
        )
      },
      cancelTransaction: async (granted) => {
        const account = await ctx.newAccount()
        await expect(ctx.adapter.replaceTransaction(ctx.unknownHash, account.signer, { mode: 'cancel' })).rejects.toBeInstanceOf(
          granted ? InvalidArgumentError : NotSupportedError,
        )
      },
      signMessage: async (granted) => {
        const account = await ctx.newAccount()
        if (!granted) return void (await expect(ctx.adapter.signMessage(account.signer, 'hello')).rejects.toBeInstanceOf(NotSupportedError))
        expect(ctx.messageToSign, 'a harness whose adapter signs messages supplies messageToSign').toBeDefined()
        const { signature } = await offline(() => ctx.adapter.signMessage(account.signer, ctx.messageToSign!))
        expect(signature.length).toBeGreaterThan(0)
        if (ctx.verifySignature) expect(await ctx.verifySignature(account, 'message', signature)).toBe(true)
      },
      signTypedData: async (granted) => {
        const account = await ctx.newAccount()
        if (!granted) return void (await expect(ctx.adapter.signTypedData(account.signer, {})).rejects.toBeInstanceOf(NotSupportedError))
        expect(ctx.typedDataToSign, 'a harness whose adapter signs typed data supplies typedDataToSign').toBeDefined()
        const { signature } = await offline(() => ctx.adapter.signTypedData(account.signer, ctx.typedDataToSign))
        expect(signature.length).toBeGreaterThan(0)
        if (ctx.verifySignature) expect(await ctx.verifySignature(account, 'typedData', signature)).toBe(true)
      },
      sendMax: async (granted) => {
        const [alice, bob] = [await funded(), await ctx.newAccount()]
        await ctx.mine(1)
        const quoting = ctx.adapter.quoteTransfer({ from: alice.from, to: bob.address, asset: ctx.adapter.nativeAsset, amount: 'max' })
        if (granted) expect((await quoting).amount).toBeGreaterThan(0n)
        else await expect(quoting).rejects.toBeInstanceOf(NotSupportedError)
      },
      tokens: async (granted) => {
        const kinds = (await ctx.adapter.assets()).map((a) => a.kind)
        if (!granted) expect(kinds).toEqual(['native'])
        else expect(kinds.every((k) => k === 'native' || k === 'token')).toBe(true)
      },
      balancesAt: async (granted) => {
        const account = await ctx.newAccount()
        const past = (await ctx.adapter.latestBlock()).height
        await ctx.mine(1)
        await ctx.fund(account.address, ctx.amounts.send)
        await ctx.mine(1)
        const read = ctx.adapter.getBalances({ addresses: [account.address], assets: [ctx.adapter.nativeAsset], blockHeight: past })
        if (!granted) return void (await expect(read).rejects.toBeInstanceOf(NotSupportedError))
        expect(await read).toMatchObject([{ ok: true, amount: 0n, blockHeight: past }])
        expect(await ctx.adapter.getBalances({ addresses: [account.address], assets: [ctx.adapter.nativeAsset] })).toMatchObject([
          { ok: true, amount: ctx.amounts.send },
        ])
      },
      stablecoinGas: async (granted) => {
        const alice = await ctx.newAccount()
        const bob = await ctx.newAccount()
        const quoting = ctx.adapter.quoteTransfer({
          from: alice.from,
          to: bob.address,
          asset: ctx.adapter.nativeAsset,
          amount: 1n,
          gas: 'stablecoin',
        })
        // Granted needs a bundler and a paymaster (the EVM suite's own tests); denied refuses before any request.
        if (granted) await expect(quoting).rejects.not.toBeInstanceOf(NotSupportedError)
        else await expect(quoting).rejects.toBeInstanceOf(NotSupportedError)
      },
      mempool: async (granted) => {
        // Granted: a balance read says what is still unconfirmed (pending), as a mempool chain must.
        if (!granted) return
        const account = await ctx.newAccount()
        const reads = (await ctx.adapter.getBalances({ addresses: [account.from] })).filter((r) => r.ok)
        expect(reads.length).toBeGreaterThan(0)
        for (const r of reads) expect(typeof r.pending, `${r.asset} pending`).toBe('bigint')
      },
      transfers: async (granted) => {
        const account = await ctx.newAccount()
        const tip = (await ctx.adapter.latestBlock()).height
        const scanning = ctx.adapter.getTransfers({ addresses: [account.address], fromBlock: Math.max(0, tip - 5), toBlock: tip })
        if (granted) expect(await scanning).toMatchObject({ transfers: [] })
        else await expect(scanning).rejects.toBeInstanceOf(NotSupportedError)
      },
    }
    for (const key of CAPABILITIES) {
      it(`capabilities.${key} is honest: granted, the call works; denied, it throws NotSupportedError`, async () => {
        await honest[key](ctx.adapter.capabilities[key])
      })
    }

    it('replaceTransaction speeds up a pending payment (one payment lands); cancel works or is NotSupportedError, as the capabilities say', async () => {
      const caps = ctx.adapter.capabilities
      const node = await ctx.replaceable()
      if ('unavailable' in node) {
        // The harness cannot leave a transaction pending: only the smaller check (the capability test) applies.
        expect(typeof ctx.adapter.replaceTransaction, node.unavailable).toBe('function')
        return
      }
      open.push(node)
      const { adapter } = node
      const alice = await funded(node)
      const bob = await node.newAccount()
      await node.mine(1)
      const before = await node.balanceOf(alice.from)
      const quote = await adapter.quoteTransfer({ from: alice.from, to: bob.address, asset: adapter.nativeAsset, amount: ctx.amounts.send })
      const first = await adapter.sendTransfer(quote, alice.signer)
      expect((await adapter.getTransaction(first)).state).toBe('pending')
      if (!caps.cancelTransaction) {
        await expect(adapter.replaceTransaction(first, alice.signer, { mode: 'cancel' })).rejects.toBeInstanceOf(NotSupportedError)
        expect(await node.sentCount(alice.from)).toBe(1)
      }
      if (!caps.replaceTransaction) {
        await expect(adapter.replaceTransaction(first, alice.signer)).rejects.toBeInstanceOf(NotSupportedError)
        return
      }
      const second = await adapter.replaceTransaction(first, alice.signer)
      expect(second).not.toBe(first)
      await node.mine(1)
      const status = await adapter.waitForTransaction(second, { timeoutMs: 15_000, pollIntervalMs: 50 })
      expect(status.state).toBe('confirmed')
      expect(await adapter.getTransaction(first)).toMatchObject({ state: 'dropped', replacedBy: second })
      expect(await node.balanceOf(bob.address), 'one payment').toBe(ctx.amounts.send)
      expect(await node.sentCount(alice.from)).toBe(1)
      expect(before - (await node.balanceOf(alice.from))).toBe(ctx.amounts.send + status.fee!.amount)
      if (!caps.cancelTransaction) return

      const carol = await funded(node)
      await node.mine(1)
      const start = await node.balanceOf(carol.from)
      const payment = await adapter.sendTransfer(
        await adapter.quoteTransfer({ from: carol.from, to: bob.address, asset: adapter.nativeAsset, amount: ctx.amounts.send }),
        carol.signer,
      )
      const cancel = await adapter.replaceTransaction(payment, carol.signer, { mode: 'cancel' })
      await node.mine(1)
      const cancelled = await adapter.waitForTransaction(cancel, { timeoutMs: 15_000, pollIntervalMs: 50 })
      expect(cancelled.state).toBe('confirmed')
      expect(await adapter.getTransaction(payment)).toMatchObject({ state: 'dropped', replacedBy: cancel })
      expect(await node.balanceOf(bob.address), 'the cancelled payment never arrived').toBe(ctx.amounts.send)
      expect(start - (await node.balanceOf(carol.from)), 'a cancel costs only its fee').toBe(cancelled.fee!.amount)
    })

    describe('money safety', () => {
      it('accepted, then HTTP 500: the transaction is found by hash and reported sent; one payment', async () => {
        const node = await faulty('lost-answer')
        const alice = await funded()
        const bob = await ctx.newAccount()
        await ctx.mine(1)
        const quote = await node.adapter.quoteTransfer({
          from: alice.from,
          to: bob.address,
          asset: node.adapter.nativeAsset,
          amount: ctx.amounts.send,
        })
        const hash = await node.adapter.sendTransfer(quote, alice.signer)
        await node.heal()
        await ctx.mine(1)
        expect((await ctx.adapter.waitForTransaction(hash, { timeoutMs: 15_000, pollIntervalMs: 50 })).state).toBe('confirmed')
        expect(await ctx.balanceOf(bob.address)).toBe(ctx.amounts.send)
        expect(await ctx.sentCount(alice.from)).toBe(1)
      })

      it('every answer lost: BroadcastUnknownError carries the signed transaction; one payment; the same bytes settle it later', async () => {
        const node = await faulty('lost-everything')
        const alice = await funded()
        const bob = await ctx.newAccount()
        await ctx.mine(1)
        const quote = await node.adapter.quoteTransfer({
          from: alice.from,
          to: bob.address,
          asset: node.adapter.nativeAsset,
          amount: ctx.amounts.send,
        })
        const error = await rejection(node.adapter.sendTransfer(quote, alice.signer))
        expect(error).toBeInstanceOf(BroadcastUnknownError)
        const { transaction } = error as BroadcastUnknownError
        expect(transaction).toMatchObject({ chainId: ctx.adapter.chainId, from: alice.from })
        expect((error as BroadcastUnknownError).details.hash).toBe(transaction.hash)
        await node.heal()
        await ctx.mine(1)
        expect(await ctx.balanceOf(bob.address), 'the node took it once').toBe(ctx.amounts.send)
        expect(await ctx.sentCount(alice.from)).toBe(1)
        expect(await ctx.adapter.broadcast(transaction)).toBe(transaction.hash)
        await ctx.mine(1)
        expect(await ctx.adapter.getTransaction(transaction.hash)).toMatchObject({
          state: 'confirmed',
          fee: { amount: await ctx.feePaid(transaction.hash) },
        })
        expect(await ctx.balanceOf(bob.address), 'still one payment').toBe(ctx.amounts.send)
        expect(await ctx.sentCount(alice.from)).toBe(1)
      })

      it('a node that never answers: every call ends near its deadline; a broadcast is "maybe sent" and carries its bytes', async () => {
        const alice = await funded()
        const bob = await ctx.newAccount()
        await ctx.mine(1)
        const quote = await ctx.adapter.quoteTransfer({
          from: alice.from,
          to: bob.address,
          asset: ctx.adapter.nativeAsset,
          amount: ctx.amounts.send,
        })
        const signed = await ctx.adapter.signTransaction(await ctx.adapter.buildTransfer(quote), alice.signer)
        const node = await faulty('silent')
        const { adapter, deadlineMs } = node
        const waitMs = deadlineMs * 3
        const reads: [string, () => Promise<unknown>, number][] = [
          ['latestBlock', () => adapter.latestBlock(), deadlineMs],
          ['blockAt', () => adapter.blockAt(1), deadlineMs],
          ['getBalances', () => adapter.getBalances({ addresses: [alice.address] }), deadlineMs],
          [
            'quoteTransfer',
            () => adapter.quoteTransfer({ from: alice.from, to: bob.address, asset: adapter.nativeAsset, amount: ctx.amounts.send }),
            deadlineMs,
          ],
          ['getTransaction', () => adapter.getTransaction(signed.hash), deadlineMs],
          ['waitForTransaction', () => adapter.waitForTransaction(signed.hash, { timeoutMs: waitMs, pollIntervalMs: 50 }), waitMs],
          ...(adapter.capabilities.history
            ? [['getHistory', () => adapter.getHistory(alice.from), deadlineMs] as [string, () => Promise<unknown>, number]]
            : []),
        ]
        for (const [name, call, bound] of reads) {
          // Soft: one call that waits too long does not hide the others.
          const outcome = await timed(call, bound)
          expect.soft(outcome.finished, `${name} was still waiting after ${outcome.ms} ms (bound ${bound} ms)`).toBe(true)
          if (!outcome.finished) continue
          const typed = [DeadlineExceededError, DiscoveryLimitError, TransactionTimeoutError, RpcError].some(
            (type) => outcome.error instanceof type,
          )
          expect.soft(typed, `${name}: ${String(outcome.error)}`).toBe(true)
          expect.soft(outcome.ms, name).toBeLessThanOrEqual(bound + GRACE_MS)
        }
        const sending = await timed(() => adapter.broadcast(signed), deadlineMs)
        expect(sending.finished, `broadcast was still waiting after ${sending.ms} ms`).toBe(true)
        expect(sending.error).toBeInstanceOf(BroadcastUnknownError)
        expect((sending.error as BroadcastUnknownError).transaction).toMatchObject({ hash: signed.hash, raw: signed.raw })
        await node.heal()
        await ctx.mine(1)
        expect(await ctx.sentCount(alice.from), 'at most the one transaction').toBeLessThanOrEqual(1)
        expect(await ctx.adapter.broadcast((sending.error as BroadcastUnknownError).transaction)).toBe(signed.hash)
        await ctx.mine(1)
        expect((await ctx.adapter.waitForTransaction(signed.hash, { timeoutMs: 15_000, pollIntervalMs: 50 })).state).toBe('confirmed')
        expect(await ctx.balanceOf(bob.address)).toBe(ctx.amounts.send)
        expect(await ctx.sentCount(alice.from)).toBe(1)
      })
    })
  })
}
