/**
 * Several real processes on one wallet folder (fileStorage), sending through the shared anvil:
 * limits hold across them, no journal entry or spend record is lost, and a process killed right
 * after its broadcast leaves a record the next one can settle.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Wallet } from 'coffer'
import { evm } from 'coffer/evm'
import { fileStorage } from 'coffer/vault'
import { mintTokens, rpc, setBalance, waitForReceipt } from '../support/anvil.js'
import { startChild, stopChildren } from '../support/child-process.js'
import { startRpcProxy, type RpcProxy } from '../support/rpc-proxy.js'
import { fixtureTokens, sharedAnvil } from '../chains/evm/helpers.js'

const FAST_KDF = { name: 'pbkdf2-sha256', iterations: 600_000 } as const
const POLICY = { limits: [{ asset: 'USDT', perWindow: '100' }] }

const cleanup: (() => Promise<void> | void)[] = []
afterEach(async () => {
  await stopChildren()
  for (const c of cleanup.splice(0).reverse()) await c()
})

const merchant = () => `0x${[...crypto.getRandomValues(new Uint8Array(20))].map((b) => b.toString(16).padStart(2, '0')).join('')}`

async function usdtOf(owner: string): Promise<bigint> {
  const data = `0x70a08231${owner.slice(2).toLowerCase().padStart(64, '0')}`
  return BigInt(await rpc<string>(sharedAnvil().url, 'eth_call', [{ to: sharedAnvil().fixtures.usdt.address, data }, 'latest']))
}

/** A wallet folder with a funded account 0; returns its path and the chain adapter the parent uses. */
async function walletFolder(rpcUrl = sharedAnvil().url) {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-wallet-mp-'))
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'wallet')
  const chain = evm({ chain: 'eip155:31337', rpcUrls: [rpcUrl], tokens: fixtureTokens(sharedAnvil().fixtures) })
  const wallet = await Wallet.create({ storage: fileStorage(path), password: 'pw', kdf: FAST_KDF, chains: [chain], policy: POLICY })
  const address = wallet.accounts()[0]!.address as `0x${string}`
  wallet.lock()
  await setBalance(sharedAnvil().url, address, 10n ** 18n)
  await mintTokens(sharedAnvil().url, sharedAnvil().fixtures.usdt.address, address, 1_000_000_000n)
  return { path, chain, address }
}

describe('two processes on one wallet', () => {
  it('share one daily limit: no more than 100 USDT leave, and the journal and spend records keep every payment', async () => {
    const { path, chain } = await walletFolder()
    const to = merchant()
    const tokens = fixtureTokens(sharedAnvil().fixtures)
    const [one, two] = [startChild('wallet-child.ts'), startChild('wallet-child.ts')]
    await Promise.all([one, two].map((c) => c.run('open', { path, rpcUrl: sharedAnvil().url, tokens, password: 'pw' })))
    const send = { to, asset: 'USDT', amount: '10', count: 9 }
    const [a, b] = await Promise.all([
      one.run<{ ok: boolean; hash?: string; code?: string; message?: string }[]>('send', send),
      two.run<{ ok: boolean; hash?: string; code?: string; message?: string }[]>('send', send),
    ])
    const outcomes = [...a, ...b]
    for (const o of outcomes) if (o.hash) await waitForReceipt(sharedAnvil().url, o.hash as `0x${string}`)
    const sent = outcomes.filter((o) => o.ok).length
    expect(sent).toBe(10)
    expect(outcomes.filter((o) => !o.ok).map((o) => `${o.code}: ${o.message}`)).toEqual(
      Array.from({ length: 8 }, () => expect.stringMatching(/^POLICY_VIOLATION: .*perWindow/)),
    )
    expect(await usdtOf(to)).toBe(100_000_000n)
    await stopChildren()

    const wallet = await Wallet.open({ storage: fileStorage(path), chains: [chain] })
    await wallet.unlock('pw')
    expect((await wallet.journal.verify()).ok).toBe(true)
    const entries = await wallet.journal.entries()
    expect(entries.filter((e) => e.status === 'sent')).toHaveLength(10)
    expect(entries.filter((e) => e.kind === 'refused')).toHaveLength(8)
    // The spend records count exactly what left: one more cent is refused, with 100 spent.
    await expect(wallet.send(await wallet.quote({ to, asset: 'USDT', amount: '0.01' }))).rejects.toMatchObject({
      details: { rule: 'perWindow', spent: '100' },
    })
  })

  it('a process killed right after its broadcast leaves an intent and the signed hash; the next one settles it and keeps it counted', async () => {
    let proxy: RpcProxy | undefined
    let killChild: (() => void) | undefined
    proxy = await startRpcProxy(sharedAnvil().url, {
      fault: (call) => {
        if (call.method !== 'eth_sendRawTransaction') return undefined
        // Let the node take it, then kill the sender before it hears back.
        setTimeout(() => killChild?.(), 300)
        return { kind: 'accept-then-hang' }
      },
    })
    cleanup.push(() => proxy?.stop())
    const { path, chain } = await walletFolder()
    const to = merchant()
    const child = startChild('wallet-child.ts')
    killChild = () => void child.kill('SIGKILL')
    await child.run('open', { path, rpcUrl: proxy.url, tokens: fixtureTokens(sharedAnvil().fixtures), password: 'pw' })
    await expect(child.run('send', { to, asset: 'USDT', amount: '70', count: 1 })).rejects.toThrow(/exited/)
    expect(await usdtOf(to)).toBe(70_000_000n)

    const wallet = await Wallet.open({ storage: fileStorage(path), chains: [chain] })
    await wallet.unlock('pw')
    const entries = await wallet.journal.entries()
    expect(entries.map((e) => e.status)).toEqual(['intent', 'signed'])
    const hash = entries[1]!.hash
    expect(await wallet.reconcile()).toEqual([expect.objectContaining({ hash, status: 'confirmed' })])
    await expect(wallet.send(await wallet.quote({ to, asset: 'USDT', amount: '31' }))).rejects.toMatchObject({
      details: { rule: 'perWindow', spent: '70' },
    })
  })
})
