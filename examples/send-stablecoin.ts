/**
 * Send a stablecoin on an EVM chain: mnemonic → vault signer → quote (fee included, funds
 * checked) → send → wait → balances before and after.
 *
 *   npx tsx examples/send-stablecoin.ts
 *
 * It starts a local chain with a USDT-like token (coffer/testing: anvil, no internet). On a real
 * chain, use evm({ chain: 'eip155:1', rpcUrls: ['https://…'] }) and the registry's USDT.
 */
import { formatAmount, parseAmount } from 'coffer'
import { evm } from 'coffer/evm'
import { generateMnemonic } from 'coffer/keys'
import { startLocalChain } from 'coffer/testing'
import { memoryStorage, Vault } from 'coffer/vault'

const local = await startLocalChain({ tokens: ['USDT'] })
try {
  // 1. A wallet from a mnemonic, kept in a vault; two accounts of it.
  const vault = await Vault.create({ storage: memoryStorage(), password: 'example', kdf: { name: 'pbkdf2-sha256' } })
  const { id } = await vault.addMnemonic({ mnemonic: process.env.COFFER_MNEMONIC ?? generateMnemonic() })
  const alice = await vault.getSigner({ secretId: id, chain: 'evm', index: 0 })
  const bob = await vault.getSigner({ secretId: id, chain: 'evm', index: 1 })

  // 2. The adapter for the chain, knowing the USDT-like token.
  const usdt = local.tokens.USDT
  const adapter = evm({ chain: local.chain, rpcUrls: [local.rpcUrl], tokens: local.adapterTokens })
  const USDT = usdt.assetId

  // 3. Fund Alice on the local chain: 1 ETH for gas and 1,000 USDT.
  await local.fund(alice.address, { eth: '1', USDT: '1000' })

  const show = async (label: string) => {
    const balances = await adapter.getBalances({ addresses: [alice.address, bob.address] })
    console.log(label)
    for (const b of balances) {
      const symbol = b.asset === USDT ? 'USDT' : 'ETH'
      console.log(
        `  ${b.address === alice.address ? 'alice' : 'bob  '} ${symbol.padEnd(4)} ${b.ok ? formatAmount(b.amount, b.decimals) : `unreadable (${b.error.shortMessage})`}`,
      )
    }
  }
  await show('Before:')

  // 4. Quote: fee at three levels, funds checked before anything is signed.
  const quote = await adapter.quoteTransfer({
    from: alice.address,
    to: bob.address,
    asset: USDT,
    amount: parseAmount('250.5', usdt.decimals),
    feeLevel: 'normal',
  })
  console.log(
    `Quote: ${formatAmount(quote.amount, usdt.decimals)} USDT to bob, fee up to ${formatAmount(quote.fee.amount, 18)} ETH (slow ${formatAmount(quote.fees.slow.amount, 18)}, fast ${formatAmount(quote.fees.fast.amount, 18)})`,
  )

  // 5. Send (build, sign through the vault, broadcast) and wait for a confirmation.
  const hash = await adapter.sendTransfer(quote, alice)
  const status = await adapter.waitForTransaction(hash)
  console.log(`Sent ${hash}: ${status.state} in block ${status.blockHeight}, fee paid ${formatAmount(status.fee?.amount ?? 0n, 18)} ETH`)

  await show('After:')
  vault.lock()
} finally {
  await local.stop()
}
