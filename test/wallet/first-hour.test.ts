/**
 * The rough edges a new user met first: the errors `Wallet.create` / `Wallet.open` give speak of
 * wallets, `wallet.close()` lets a script exit (no portfolio timers left, vault locked), and a
 * chain id in the wrong form says what the right one is.
 */
import { describe, expect, it } from 'vitest'
import { Wallet } from 'coffer'
import { memoryStorage } from 'coffer/vault'
import { localAdapter } from '../chains/evm/helpers.js'

const FAST_KDF = { name: 'pbkdf2-sha256', iterations: 600_000 } as const

describe("a new user's first hour with the Wallet", () => {
  it('creating over an existing wallet, or opening an empty storage, says so in wallet terms with stable codes', async () => {
    const storage = memoryStorage()
    const chains = [localAdapter()]
    await Wallet.create({ storage, password: 'pw', kdf: FAST_KDF, chains })
    const again = await Wallet.create({ storage, password: 'pw', kdf: FAST_KDF, chains }).catch((e: unknown) => e)
    expect(again).toMatchObject({ code: 'VAULT_EXISTS', name: 'VaultExistsError' })
    expect((again as Error).message).toMatch(/already holds a wallet; open it with Wallet.open/)
    const empty = await Wallet.open({ storage: memoryStorage(), chains }).catch((e: unknown) => e)
    expect(empty).toMatchObject({ code: 'VAULT_NOT_FOUND' })
    expect((empty as Error).message).toMatch(/No wallet in this storage; create one with Wallet.create/)
    const blank = await Wallet.create({ storage: memoryStorage(), password: '', kdf: FAST_KDF, chains }).catch((e: unknown) => e)
    expect((blank as Error).message).toMatch(/password is empty/)
  })

  it('close() stops the portfolio and locks, so nothing keeps the process alive; the wallet can be unlocked again', async () => {
    const storage = memoryStorage()
    const wallet = await Wallet.create({ storage, password: 'pw', kdf: FAST_KDF, chains: [localAdapter()] })
    const portfolio = wallet.portfolio()
    portfolio.watch({ intervalMs: 1_000 })
    expect(portfolio.watching).toBe(true)
    await wallet.close()
    expect(portfolio.watching).toBe(false)
    expect(wallet.isLocked).toBe(true)
    expect(() => wallet.journal).toThrow(expect.objectContaining({ code: 'VAULT_LOCKED' }))
    await wallet.unlock('pw')
    expect((await wallet.journal.verify()).ok).toBe(true)
    await wallet.close()
  })

  it('a chain id in the wrong form suggests the right one', async () => {
    const wallet = await Wallet.create({ storage: memoryStorage(), password: 'pw', kdf: FAST_KDF, chains: [localAdapter()] })
    const account = wallet.accounts()[0]!
    await expect(wallet.quote({ to: account.address, asset: 'USDT', amount: '1', chainId: '31337' as never })).rejects.toMatchObject({
      code: 'INVALID_CAIP_ID',
      message: expect.stringMatching(/did you mean eip155:31337\?/),
    })
    await wallet.close()
  })
})
