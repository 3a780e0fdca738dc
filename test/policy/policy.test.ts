/** The policy engine alone: every rule, rolling windows, persistence, hooks. */
import { describe, expect, it } from 'vitest'
import type { AssetId } from '../../src/core/caip.js'
import { PolicyEngine, type PolicyOptions, type SignSummary } from '../../src/policy/policy.js'
import { fixedPrices } from '../../src/portfolio/prices.js'
import { memoryStorage } from '../../src/vault/storage.js'
import { sealerFrom } from '../../src/vault/sealer.js'
import { randomBytes } from '../../src/vault/crypto.js'

const USDT_ETH = 'eip155:1/erc20:0xdac17f958d2ee523a2206206994597c13d831ec7' as AssetId
const USDT_BSC = 'eip155:56/erc20:0x55d398326f99059ff775485246999027b3197955' as AssetId
const ETH = 'eip155:1/slip44:60' as AssetId
const ALICE = '0x1111111111111111111111111111111111111111'
const BOB = '0x2222222222222222222222222222222222222222'

const usdt = (amount: string, chain: 1 | 56 = 1, to = BOB): SignSummary => ({
  kind: 'transaction',
  chainId: `eip155:${chain}`,
  from: ALICE,
  to,
  asset: chain === 1 ? USDT_ETH : USDT_BSC,
  symbol: 'USDT',
  decimals: chain === 1 ? 6 : 18,
  family: 'USDT',
  amount: BigInt(Math.round(Number(amount) * 1e6)) * (chain === 1 ? 1n : 10n ** 12n),
  fee: { asset: `eip155:${chain}/slip44:60`, amount: 10n ** 15n, decimals: 18, symbol: chain === 1 ? 'ETH' : 'BNB' },
})

function engine(options: PolicyOptions, extra: Partial<ConstructorParameters<typeof PolicyEngine>[1]> = {}) {
  let now = 1_700_000_000_000
  const clock = { advance: (ms: number) => (now += ms) }
  const store = memoryStorage()
  const key = randomBytes(32)
  const sealer = sealerFrom('policy', async (use) => use(key.slice()))
  const make = () => new PolicyEngine(options, { store, sealer: () => sealer, now: () => now, ...extra })
  return { policy: make(), make, clock, store }
}

const refusal = (rule: string) => expect.objectContaining({ code: 'POLICY_VIOLATION', details: expect.objectContaining({ rule }) })

describe('PolicyEngine', () => {
  it('allows everything with no rules', async () => {
    const { policy } = engine({})
    await expect(policy.authorize(usdt('1000000'))).resolves.toMatchObject({ id: expect.any(String) })
  })

  it('limits per transaction and per rolling window, summed across chains for a family, and survives a restart', async () => {
    const { policy, make, clock } = engine({ limits: [{ asset: 'USDT', perTransaction: '300', perWindow: '500' }] })
    await expect(policy.authorize(usdt('300.000001'))).rejects.toEqual(refusal('perTransaction'))
    await policy.authorize(usdt('300'))
    await policy.authorize(usdt('150', 56)) // BSC USDT: 18 decimals, same family
    await expect(policy.authorize(usdt('50.000001', 56))).rejects.toEqual(refusal('perWindow'))
    // A new engine over the same store (a restart) still knows what was spent.
    const again = make()
    await expect(again.authorize(usdt('60'))).rejects.toThrow(/already spent: 450/)
    await again.authorize(usdt('50'))
    // The window rolls: a day later the first spend no longer counts.
    clock.advance(86_400_001)
    await make().authorize(usdt('300'))
  })

  it('releases a reservation the node refused, and counts concurrent sends one after another', async () => {
    const { policy } = engine({ limits: [{ asset: USDT_ETH, perWindow: '100' }] })
    const first = await policy.authorize(usdt('100'))
    await expect(policy.authorize(usdt('1'))).rejects.toEqual(refusal('perWindow'))
    await first.release()
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => policy.authorize(usdt('30'))))
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3)
  })

  it('checks allow- and denylists (CAIP-10 entries bind the chain), and unlisted assets when denied', async () => {
    const { policy } = engine({
      allow: [BOB, `eip155:56:${ALICE}`],
      deny: ['0x2222222222222222222222222222222222222222'.toUpperCase().replace('0X', '0x')],
    })
    await expect(policy.authorize(usdt('1'))).rejects.toEqual(refusal('deny'))
    await expect(policy.authorize(usdt('1', 1, ALICE))).rejects.toEqual(refusal('allow'))
    await policy.authorize(usdt('1', 56, ALICE))
    const strict = engine({ unlistedAssets: 'deny', limits: [{ asset: 'USDC', perWindow: '10' }] }).policy
    await expect(strict.authorize(usdt('1'))).rejects.toEqual(refusal('unlistedAssets'))
  })

  it('caps fees absolutely and as a share of the amount (by value across assets)', async () => {
    await expect(engine({ maxFee: { ETH: '0.0005' } }).policy.authorize(usdt('1'))).rejects.toEqual(refusal('maxFee'))
    await engine({ maxFee: { ETH: '0.001' } }).policy.authorize(usdt('1'))
    const prices = fixedPrices({ prices: { [USDT_ETH]: '1', [ETH]: '3000' } })
    // fee 0.001 ETH = 3 USD; 5% of 100 USDT = 5 USD: fine; 5% of 50 USDT = 2.5 USD: too much.
    await engine({ maxFeeShare: 0.05 }, { prices }).policy.authorize(usdt('100'))
    await expect(engine({ maxFeeShare: 0.05 }, { prices }).policy.authorize(usdt('50'))).rejects.toEqual(refusal('maxFeeShare'))
    await expect(engine({ maxFeeShare: 0.05 }).policy.authorize(usdt('50'))).rejects.toThrow(/no prices/)
    const sameAsset: SignSummary = { ...usdt('1'), asset: ETH, symbol: 'ETH', decimals: 18, family: 'ETH', amount: 10n ** 16n }
    await expect(engine({ maxFeeShare: 0.05 }).policy.authorize(sameAsset)).rejects.toEqual(refusal('maxFeeShare')) // 0.001 of 0.01 = 10%
  })

  it('limits fiat value per transaction and per window, and refuses unpriced assets under a fiat limit', async () => {
    const prices = fixedPrices({ prices: { [USDT_ETH]: '0.999' } })
    const { policy } = engine({ fiat: { perTransaction: '200', perWindow: '300' } }, { prices, currency: 'usd' })
    await expect(policy.authorize(usdt('201'))).rejects.toEqual(refusal('fiatPerTransaction'))
    await policy.authorize(usdt('200')) // 199.80
    await expect(policy.authorize(usdt('101'))).rejects.toEqual(refusal('fiatPerWindow')) // 199.80 + 100.899 > 300
    await policy.authorize(usdt('100')) // 199.80 + 99.90 = 299.70
    await expect(policy.authorize(usdt('1', 56))).rejects.toEqual(refusal('fiat'))
  })

  it('asks the confirmation hooks last, with the priced summary; a refusal or a throw refuses and releases', async () => {
    const seen: SignSummary[] = []
    let answer: unknown = false
    const prices = fixedPrices({ prices: { [USDT_ETH]: '1' } })
    const { policy } = engine(
      {
        limits: [{ asset: 'USDT', perWindow: '10' }],
        onBeforeSign: (s) => {
          seen.push(s)
          if (answer === 'throw') throw new Error('2FA down')
          return answer as boolean
        },
      },
      { prices },
    )
    await expect(policy.authorize(usdt('10'))).rejects.toEqual(refusal('onBeforeSign'))
    expect(seen[0]).toMatchObject({ to: BOB, amount: 10_000_000n, symbol: 'USDT', fee: { symbol: 'ETH' } })
    answer = 'throw'
    await expect(policy.authorize(usdt('10'))).rejects.toEqual(refusal('onBeforeSign'))
    answer = true
    await expect(policy.authorize(usdt('10'), () => false)).rejects.toEqual(refusal('confirm'))
    await policy.authorize(usdt('10'), async () => true) // nothing was left reserved by the refusals
  })

  it('keeps its records sealed, and refuses rather than forgetting when they cannot be read', async () => {
    const { policy, make, store } = engine({ limits: [{ asset: 'USDT', perWindow: '10' }] })
    await policy.authorize(usdt('5'))
    const stored = (await store.get('policy'))!
    expect(stored).not.toMatch(/USDT|0xdac17|5000000/)
    await store.set(
      'policy',
      stored.replace(/"sealed":"(.)/, (_m, c: string) => `"sealed":"${c === 'A' ? 'B' : 'A'}`),
    )
    await expect(make().authorize(usdt('1'))).rejects.toEqual(refusal('records'))
  })

  it('rejects bad configuration at once', () => {
    for (const bad of [
      { limits: [{ asset: 'usdt?', perWindow: '1' }] },
      { limits: [{ asset: 'USDT' }] },
      { limits: [{ asset: 'USDT', perWindow: '-1' }] },
      { limits: [{ asset: 'USDT', perWindow: '1', windowMs: 5 }] },
      { maxFeeShare: 2 },
      { maxFee: { 'not an asset': '1' } },
      { allow: ['x:y'] },
      { unlistedAssets: 'maybe' },
      { onBeforeSign: 'yes' },
      { fiat: { perTransaction: '1e3' } },
    ]) {
      expect(() => new PolicyEngine(bad as never)).toThrow(
        expect.objectContaining({ code: expect.stringMatching(/INVALID_ARGUMENT|INVALID_CAIP_ID/) }),
      )
    }
  })

  it('accepts only sealed records when it has a vault, rebuilds from the fallback when they are gone, and never saves in the clear', async () => {
    const { policy, make, store } = engine({ limits: [{ asset: 'USDT', perWindow: '10' }] })
    await policy.authorize(usdt('5'))
    // Plain records written by someone else are not trusted.
    await store.set('policy', JSON.stringify({ format: 'coffer-policy-v1', records: [] }))
    await expect(make().authorize(usdt('1'))).rejects.toEqual(refusal('records'))
    // Gone: the fallback (a wallet's journal) says what was spent.
    await store.set('policy', '')
    const rebuilt = make()
    await store.delete('policy')
    rebuilt.useFallback(async () => [{ time: 1_700_000_000_000, asset: USDT_ETH, family: 'USDT', amount: 8_000_000n, decimals: 6 }])
    await expect(rebuilt.authorize(usdt('3'))).rejects.toThrow(/already spent: 8/)
    // A locked vault: refuse to write plain records.
    const locked = new PolicyEngine({ limits: [{ asset: 'USDT', perWindow: '10' }] }, { store: memoryStorage(), sealer: () => undefined })
    await expect(locked.authorize(usdt('1'))).rejects.toMatchObject({ code: 'VAULT_LOCKED' })
  })
})
