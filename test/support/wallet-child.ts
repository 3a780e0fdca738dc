/**
 * A separate process running a Wallet on one fileStorage folder, driven by the multi-process
 * wallet tests (test/wallet/multi-process.test.ts).
 *
 * Run with `node --import tsx test/support/wallet-child.ts`. It reads one JSON command per line
 * on stdin and answers each with one JSON line on stdout: `{ id, ok: true, result }` or
 * `{ id, ok: false, error: { code, message } }`. Imports come from ../../src directly.
 */
import { serve, type Command } from './child-serve.js'
import { CofferError } from '../../src/core/errors.js'
import { evm, type EvmTokenConfig } from '../../src/chains/evm/index.js'
import { fileStorage } from '../../src/vault/index.js'
import { Wallet } from '../../src/wallet/index.js'

let wallet: Wallet | undefined

const need = (): Wallet => {
  if (!wallet) throw new Error('open first')
  return wallet
}

const ops: Record<string, (cmd: Command) => Promise<unknown>> = {
  /** Opens the wallet in `path` over an EVM chain at `rpcUrl`, with `policy` when given. */
  async open(cmd) {
    const chain = evm({
      chain: 'eip155:31337',
      rpcUrls: [cmd.rpcUrl as string],
      tokens: cmd.tokens as EvmTokenConfig[],
      rebroadcast: { delayMs: 20 },
    })
    wallet = await Wallet.open({
      storage: fileStorage(cmd.path as string),
      chains: [chain],
      ...(cmd.policy ? { policy: cmd.policy as never } : {}),
    })
    await wallet.unlock(cmd.password as string)
    return wallet.accounts()[0]?.address
  },
  /** Sends `amount` of `asset` to `to`, `count` times one after another; returns each outcome. */
  async send(cmd) {
    const w = need()
    const outcomes: { ok: boolean; hash?: string; code?: string; message?: string }[] = []
    for (let i = 0; i < (cmd.count as number); i++) {
      try {
        const hash = await w.send(await w.quote({ to: cmd.to as string, asset: cmd.asset as string, amount: cmd.amount as string }))
        outcomes.push({ ok: true, hash })
      } catch (error) {
        outcomes.push({
          ok: false,
          code: error instanceof CofferError ? error.code : String(error),
          message: error instanceof CofferError ? error.shortMessage : String(error),
        })
      }
    }
    return outcomes
  },
}

serve(ops)
