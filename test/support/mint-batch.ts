/**
 * Many token deposits in few blocks on anvil, for the deposit-watcher tests and bench: mints of a
 * coffer/testing token (their mint is open to anyone) sent from anvil's unlocked first account as
 * one JSON-RPC batch with explicit nonces, then mined into one block (with automine off).
 * @module
 */
import { randomBytes } from 'node:crypto'
import { encodeFunctionData, parseAbi, type Address, type Hex } from 'viem'
import { rpc } from './anvil.js'

/** anvil's first development account (unlocked: eth_sendTransaction signs for it). */
const MINTER: Address = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
const mintAbi = parseAbi(['function mint(address to, uint256 amount)'])

/** A random address (nobody's key): 20 random bytes, lower-case hex. */
export const randomAddress = (): Address => `0x${randomBytes(20).toString('hex')}`

/** Sends `mints` of `token` and mines them into one block (call with automine off); returns the tx hashes in order. */
export async function mineMints(url: string, token: Address, mints: readonly { to: Address; amount: bigint }[]): Promise<Hex[]> {
  const nonce = Number(BigInt(await rpc<Hex>(url, 'eth_getTransactionCount', [MINTER, 'pending'])))
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(
      mints.map((m, i) => ({
        jsonrpc: '2.0',
        id: i,
        method: 'eth_sendTransaction',
        params: [
          {
            from: MINTER,
            to: token,
            data: encodeFunctionData({ abi: mintAbi, functionName: 'mint', args: [m.to, m.amount] }),
            gas: '0x30000',
            nonce: `0x${(nonce + i).toString(16)}`,
          },
        ],
      })),
    ),
  })
  const answers = (await res.json()) as { id: number; result?: Hex; error?: { message: string } }[]
  const hashes = answers
    .sort((a, b) => a.id - b.id)
    .map((a) => {
      if (!a.result) throw new Error(`mint refused: ${a.error?.message}`)
      return a.result
    })
  await rpc(url, 'evm_mine')
  return hashes
}
