/**
 * A chain step past its deadline commits nothing, however late its reads come back: its
 * transfers are announced by the next step, once, and a reorg it was undoing is reported whole
 * by the next step. On a private anvil (reorgs by snapshot and revert), with the adapter's
 * balance read held at a gate so the late step's order is exact, not timed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DeadlineExceededError } from 'coffer'
import { evm, type EvmAdapter } from 'coffer/evm'
import type { ChainAdapter } from '../../src/chains/adapter.js'
import { ChainTracker } from '../../src/portfolio/tracker.js'
import { deployFixtures, mine, mintTokens, revertTo, snapshot, startAnvil, type Anvil, type FixtureAddresses } from '../support/anvil.js'
import { fixtureTokens, vaultSigners } from '../chains/evm/helpers.js'

const CHAIN = 'eip155:31337'
let node: Anvil
let fixtures: FixtureAddresses
let adapter: EvmAdapter

beforeAll(async () => {
  node = await startAnvil({ chainId: 31337 })
  const { abis: _abis, ...f } = await deployFixtures(node.url)
  fixtures = f
  adapter = evm({ chain: CHAIN, rpcUrls: [node.url], tokens: fixtureTokens(fixtures), retryCount: 0 })
}, 60_000)

afterAll(async () => {
  await node?.stop()
})

/** The adapter with `getBalances` held while the gate is shut; `reached` resolves when a read waits there. */
function gated(inner: EvmAdapter) {
  let open = true
  let release = () => {}
  let reached = () => {}
  const gate = {
    shut(): Promise<void> {
      open = false
      const wait = new Promise<void>((resolve) => (release = resolve))
      const arrived = new Promise<void>((resolve) => (reached = resolve))
      gate.wait = wait
      return arrived
    },
    open() {
      open = true
      release()
    },
    wait: Promise.resolve(),
  }
  const adapter = new Proxy(inner, {
    get: (target, key) => {
      if (key === 'getBalances') {
        return async (...args: Parameters<EvmAdapter['getBalances']>) => {
          if (!open) {
            reached()
            await gate.wait
          }
          return target.getBalances(...args)
        }
      }
      const value = Reflect.get(target, key, target) as unknown
      return typeof value === 'function' ? value.bind(target) : value
    },
  }) as ChainAdapter
  return { adapter, gate }
}

const expired = () => new DeadlineExceededError('test deadline', { details: { chainId: CHAIN, deadlineMs: 1 } })

describe('ChainTracker: a step past its deadline', () => {
  it('commits nothing: the transfer it saw is announced by the next step, once', async () => {
    const { signers } = await vaultSigners(1)
    const account = signers[0]!.address as `0x${string}`
    const { adapter: slow, gate } = gated(adapter)
    const tracker = new ChainTracker(slow, [{ chainId: CHAIN, address: account }], {
      confirmations: 1,
      fullRefreshBlocks: 20,
      reorgDepth: 64,
    })
    await tracker.resolveAssets(undefined)
    await tracker.step()
    const baseline = tracker.head!
    const usdc = `${CHAIN}/erc20:${fixtures.usdc.address.toLowerCase()}` as const

    await mintTokens(node.url, fixtures.usdc.address, account, 2_000_000n)
    const arrived = gate.shut()
    const controller = new AbortController()
    const late = tracker.step(controller.signal)
    await arrived // it found the transfer and now waits for the balance read
    controller.abort(expired())
    gate.open()
    await expect(late).rejects.toMatchObject({ code: 'DEADLINE_EXCEEDED' })
    expect(tracker.head).toEqual(baseline)
    expect(tracker.reading(account, usdc)?.amount).toBe(0n)

    const next = await tracker.step()
    expect(next.transfers.map((t) => [t.direction, t.amount])).toEqual([['in', 2_000_000n]])
    expect(next.changes.map((c) => [c.asset, c.delta])).toEqual([[usdc, 2_000_000n]])
    expect(tracker.reading(account, usdc)?.amount).toBe(2_000_000n)
    expect((await tracker.step()).transfers).toEqual([])
  })

  it('undoing a reorg, forgets nothing: the next step reports the vanished transfer', async () => {
    const { signers } = await vaultSigners(1)
    const account = signers[0]!.address as `0x${string}`
    const { adapter: slow, gate } = gated(adapter)
    const tracker = new ChainTracker(slow, [{ chainId: CHAIN, address: account }], {
      confirmations: 1,
      fullRefreshBlocks: 20,
      reorgDepth: 64,
    })
    await tracker.resolveAssets(undefined)
    await tracker.step()
    const id = await snapshot(node.url)
    await mintTokens(node.url, fixtures.usdc.address, account, 7_000_000n)
    const minted = await tracker.step()
    expect(minted.transfers).toHaveLength(1)
    const head = tracker.head!

    // The block with the mint is replaced by two empty ones; the step undoing it runs late.
    await revertTo(node.url, id)
    await mine(node.url, 2)
    const arrived = gate.shut()
    const controller = new AbortController()
    const late = tracker.step(controller.signal)
    await arrived
    controller.abort(expired())
    gate.open()
    await expect(late).rejects.toBeInstanceOf(DeadlineExceededError)
    expect(tracker.head).toEqual(head)

    const next = await tracker.step()
    expect(next.reorg).toMatchObject({
      depth: 1,
      removed: [expect.objectContaining({ hash: minted.transfers[0]!.hash, amount: 7_000_000n })],
    })
    expect(next.changes.map((c) => [c.delta, c.reorg])).toEqual([[-7_000_000n, true]])
  })
})
