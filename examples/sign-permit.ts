/**
 * Approve by signature: an EIP-2612 permit for a USDC-like token, signed in the vault by an
 * owner who holds no ETH, submitted by a relayer who pays the gas and then spends the allowance
 * with `transferFrom`. Then a plain EIP-712 typed-data message, signed and recovered.
 *
 *   npx tsx examples/sign-permit.ts
 *
 * It starts a local chain with a USDC-like token that supports permits (coffer/testing: anvil,
 * no internet). On a real chain, the registry's USDC works the same way:
 * evm({ chain: 'eip155:1', rpcUrls: […] }).
 */
import { createWalletClient, http, parseAbi, recoverTypedDataAddress } from 'viem'
import { formatAmount, parseAmount } from 'coffer'
import { evm, toViemAccount } from 'coffer/evm'
import { generateMnemonic } from 'coffer/keys'
import { startLocalChain } from 'coffer/testing'
import { memoryStorage, Vault } from 'coffer/vault'

const tokenAbi = parseAbi([
  'function permit(address owner, address spender, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s)',
  'function transferFrom(address from, address to, uint256 value) returns (bool)',
  'function allowance(address owner, address spender) view returns (uint256)',
  'function nonces(address owner) view returns (uint256)',
])

const local = await startLocalChain({ tokens: ['USDC'] })
try {
  // 1. The owner's key is in a vault; the relayer (a payment service, say) has its own key.
  const vault = await Vault.create({ storage: memoryStorage(), password: 'example', kdf: { name: 'pbkdf2-sha256' } })
  const { id } = await vault.addMnemonic({ mnemonic: process.env.COFFER_MNEMONIC ?? generateMnemonic() })
  const owner = await vault.getSigner({ secretId: id, chain: 'evm', index: 0 })
  const relayer = await vault.getSigner({ secretId: id, chain: 'evm', index: 1 }) // another party in real life
  const shop = '0x000000000000000000000000000000000000bEEF'

  const usdc = local.tokens.USDC
  const adapter = evm({ chain: local.chain, rpcUrls: [local.rpcUrl], tokens: local.adapterTokens })
  const USDC = usdc.assetId
  await local.fund(owner.address, { USDC: '1000' }) // USDC only, no ETH
  await local.fund(relayer.address, { eth: '1' })
  const usd = (units: bigint) => `${formatAmount(units, usdc.decimals)} USDC`
  const allowance = () =>
    adapter.client.readContract({
      address: usdc.address,
      abi: tokenAbi,
      functionName: 'allowance',
      args: [owner.address as `0x${string}`, relayer.address as `0x${string}`],
    })
  console.log(`Owner   ${owner.address}: 1000 USDC, 0 ETH`)
  console.log(`Relayer ${relayer.address}: 1 ETH for gas`)

  // 2. The owner signs a permit: "relayer may spend 25 USDC of mine until the deadline".
  //    Offline except for reading the token's EIP-712 domain and the owner's permit nonce.
  const value = parseAmount('25', usdc.decimals)
  const permit = await adapter.signPermit(owner, { token: USDC, spender: relayer.address as `0x${string}`, value })
  console.log(
    `\nPermit signed for ${usd(value)}: nonce ${permit.nonce}, deadline ${new Date(Number(permit.deadline) * 1000).toISOString()}`,
  )
  console.log(`  digest    ${permit.digest}`)
  console.log(`  signature v=${permit.v} r=${permit.r.slice(0, 18)}… s=${permit.s.slice(0, 18)}…`)
  console.log(`Allowance before: ${usd(await allowance())}`)

  // 3. The relayer submits permit(…) and pays its gas. toViemAccount lets viem's wallet client
  //    sign with a coffer signer; the key stays in the vault.
  const relayerClient = createWalletClient({ account: toViemAccount(relayer), chain: local.chain, transport: http(local.rpcUrl) })
  const permitTx = await relayerClient.writeContract({
    address: usdc.address,
    abi: tokenAbi,
    functionName: 'permit',
    args: [owner.address as `0x${string}`, relayer.address as `0x${string}`, value, permit.deadline, permit.v, permit.r, permit.s],
  })
  console.log(`permit() sent by the relayer: ${(await adapter.waitForTransaction(permitTx)).state} (${permitTx.slice(0, 12)}…)`)
  console.log(
    `Allowance after:  ${usd(await allowance())}; owner's permit nonce now ${await adapter.client.readContract({ address: usdc.address, abi: tokenAbi, functionName: 'nonces', args: [owner.address as `0x${string}`] })}`,
  )

  // 4. The same signature cannot be used twice: the nonce it signed is spent.
  try {
    await adapter.client.simulateContract({
      account: relayer.address as `0x${string}`,
      address: usdc.address,
      abi: tokenAbi,
      functionName: 'permit',
      args: [owner.address as `0x${string}`, relayer.address as `0x${string}`, value, permit.deadline, permit.v, permit.r, permit.s],
    })
    console.log('Replayed permit: accepted (unexpected)')
  } catch (error) {
    console.log(
      `Replayed permit: refused by the token (${/EIP2612: invalid signature/.test(String(error)) ? 'EIP2612: invalid signature' : 'reverted'})`,
    )
  }

  // 5. The relayer spends the allowance: 25 USDC from the owner to the shop.
  const pull = await relayerClient.writeContract({
    address: usdc.address,
    abi: tokenAbi,
    functionName: 'transferFrom',
    args: [owner.address as `0x${string}`, shop, value],
  })
  console.log(`transferFrom() by the relayer: ${(await adapter.waitForTransaction(pull)).state}`)
  const balances = await adapter.getBalances({ addresses: [owner.address, shop], assets: [USDC, adapter.nativeAsset] })
  for (const b of balances)
    console.log(
      `  ${b.address === shop ? 'shop ' : 'owner'} ${b.asset === USDC ? 'USDC' : 'ETH '} ${b.ok ? formatAmount(b.amount, b.decimals) : b.error.shortMessage}`,
    )
  console.log(`Allowance left: ${usd(await allowance())}`)

  // 6. Any EIP-712 typed data: a login or an order, signed by the owner and recovered by anyone.
  const typedData = {
    domain: { name: 'Example Shop', version: '1', chainId: local.chain.id },
    types: {
      Order: [
        { name: 'buyer', type: 'address' },
        { name: 'item', type: 'string' },
        { name: 'price', type: 'uint256' },
      ],
    },
    primaryType: 'Order',
    message: { buyer: owner.address as `0x${string}`, item: 'coffee beans, 1 kg', price: value },
  } as const
  const order = await adapter.signTypedData(owner, typedData)
  const signer = await recoverTypedDataAddress({ ...typedData, signature: order.signature })
  console.log(`\nTyped data "Order" signed: ${order.signature.slice(0, 20)}…`)
  console.log(`  recovered ${signer} (${signer === owner.address ? 'the owner' : 'MISMATCH'})`)
  vault.lock()
} finally {
  await local.stop()
}
