/**
 * Cold signing: the keys live on a machine with no network. An online machine builds an
 * unsigned USDT-like transfer as JSON; the offline machine signs it; the online machine
 * broadcasts the signed JSON and waits for it. Only JSON files cross between the two.
 *
 *   npx tsx examples/offline-signing.ts
 *
 * Both sides run in this one process here. The offline side gets an adapter whose RPC URL
 * points at a dead port and whose every request is counted: signing makes none, and a read
 * fails. It starts a local chain with a USDT-like token (coffer/testing: anvil, no internet).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeFunctionData, erc20Abi, type Hex } from 'viem'
import { CofferError, formatAmount, parseAmount, type SignedTransaction, type UnsignedTransaction } from 'coffer'
import { evm } from 'coffer/evm'
import { startLocalChain } from 'coffer/testing'
import { fileStorage, Vault } from 'coffer/vault'

const dir = mkdtempSync(join(tmpdir(), 'coffer-offline-'))
const local = await startLocalChain({ tokens: ['USDT'] })
/** Long hex strings cut to their ends, for printing. */
const abbreviated = (value: unknown) =>
  JSON.stringify(value, null, 2).replace(/"0x([0-9a-fA-F]{60,})"/g, (_, hex: string) => `"0x${hex.slice(0, 10)}…${hex.slice(-6)}"`)
try {
  const usdt = local.tokens.USDT
  const USDT = usdt.assetId
  const PASSWORD = 'cold storage password'

  // 0. Offline, once: a vault file with the keys. Only the address leaves this machine.
  const cold = await Vault.create({ storage: fileStorage(join(dir, 'cold.vault')), password: PASSWORD, kdf: { name: 'pbkdf2-sha256' } })
  const { id } = await cold.addMnemonic()
  const from = (await cold.getSigner({ secretId: id, chain: 'evm' })).address
  cold.lock()
  console.log(`Offline vault holds the key of ${from}`)
  await local.fund(from, { eth: '1', USDT: '500' })

  // 1. Online: quote (fees, funds checked) and build the unsigned transaction: JSON with the
  //    nonce, gas and fees filled in, and a summary a person can check before signing.
  const online = evm({ chain: local.chain, rpcUrls: [local.rpcUrl], tokens: local.adapterTokens })
  const to = '0x000000000000000000000000000000000000bEEF'
  const quote = await online.quoteTransfer({ from, to, asset: USDT, amount: parseAmount('120', usdt.decimals) })
  const unsigned = await online.buildTransfer(quote)
  writeFileSync(join(dir, 'unsigned.json'), JSON.stringify(unsigned))
  console.log(
    `\n[online]  unsigned.json (${formatAmount(quote.amount, usdt.decimals)} USDT to ${to}, fee up to ${formatAmount(quote.fee.amount, 18)} ETH):`,
  )
  console.log(abbreviated(unsigned))

  // 2. Offline: open the vault, check the summary, sign. This adapter cannot reach any node.
  let requests = 0
  const offline = evm({
    chain: local.chain,
    rpcUrls: ['http://127.0.0.1:1'], // nothing listens here
    tokens: local.adapterTokens,
    retryCount: 0,
    timeoutMs: 2_000,
    fetch: (input, init) => {
      requests++
      return fetch(input, init)
    },
  })
  const toSign = JSON.parse(readFileSync(join(dir, 'unsigned.json'), 'utf8')) as UnsignedTransaction
  const vault = await Vault.open({ storage: fileStorage(join(dir, 'cold.vault')) })
  await vault.unlock(PASSWORD)
  const signer = await vault.getSigner({ secretId: id, chain: 'evm' })
  // The summary is what a person reads, but it is not what gets signed: check that the payload
  // (token contract, transfer(to, amount) call, gas × max fee) says the same before signing.
  const payload = toSign.payload as { to: string; data: Hex; value: string; gas: string; maxFeePerGas: string }
  const call = decodeFunctionData({ abi: erc20Abi, data: payload.data })
  const matches =
    payload.to.toLowerCase() === usdt.address.toLowerCase() &&
    payload.value === '0' &&
    call.functionName === 'transfer' &&
    call.args[0].toLowerCase() === toSign.summary.to.toLowerCase() &&
    call.args[1] === BigInt(toSign.summary.amount) &&
    BigInt(payload.gas) * BigInt(payload.maxFeePerGas) === BigInt(toSign.summary.fee)
  if (!matches) throw new Error('The payload does not do what its summary says; not signing.')
  console.log(`\n[offline] payload checked: transfer(${call.args[0]}, ${call.args[1]}) on the USDT contract, matching the summary`)
  console.log(
    `[offline] signing ${formatAmount(BigInt(toSign.summary.amount), usdt.decimals)} USDT to ${toSign.summary.to}, fee up to ${formatAmount(BigInt(toSign.summary.fee), 18)} ETH`,
  )
  const signed = await offline.signTransaction(toSign, signer)
  vault.lock()
  writeFileSync(join(dir, 'signed.json'), JSON.stringify(signed))
  console.log(`[offline] network requests made while signing: ${requests}`)
  console.log('[offline] signed.json:')
  console.log(abbreviated(signed))
  try {
    await offline.getBalances({ addresses: [from] })
    console.log('[offline] a balance read worked (unexpected)')
  } catch (error) {
    console.log(
      `[offline] a balance read fails, as it should: ${error instanceof CofferError ? `${error.name}: ${error.shortMessage}` : String(error)} (${requests} request attempted)`,
    )
  }

  // 3. Online: broadcast the signed JSON and wait for a confirmation.
  const received = JSON.parse(readFileSync(join(dir, 'signed.json'), 'utf8')) as SignedTransaction
  const hash = await online.broadcast(received)
  const status = await online.waitForTransaction(hash)
  console.log(`\n[online]  broadcast ${hash}: ${status.state} in block ${status.blockHeight}`)
  const balances = await online.getBalances({ addresses: [from, to], assets: [USDT] })
  for (const b of balances)
    console.log(`  ${b.address === to ? 'recipient' : 'sender   '} ${b.ok ? formatAmount(b.amount, b.decimals) : '?'} USDT`)
} finally {
  await local.stop()
  rmSync(dir, { recursive: true, force: true })
}
