/** Every example runs as a user would run it (through tsx), so none rots. */
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { fileStorage, Vault } from 'coffer/vault'

const run = promisify(execFile)
const root = fileURLToPath(new URL('..', import.meta.url))
const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url))

async function example(file: string, args: string[] = [], env: Record<string, string> = {}) {
  const { stdout } = await run(tsx, [`examples/${file}`, ...args], { cwd: root, env: { ...process.env, ...env }, timeout: 60_000 })
  return stdout
}

describe('examples/derive-addresses.ts', () => {
  it('prints the known first addresses of the test mnemonic on all four chains', async () => {
    const out = await example('derive-addresses.ts')
    expect(out).toContain("m/44'/60'/0'/0/0")
    expect(out).toContain('0x9858EfFD232B4033E47d90003D41EC34EcaEda94')
    expect(out).toContain('bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu')
    expect(out).toContain('bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr')
    expect(out).toContain('HAgk14JpMQLgt6rVgv7cBQFJWFto5Dqxi472uT3DKpqk')
    expect(out).toContain('TUEZSdKsoDHQMeZwihtdoBiN46zxhGWYdH')
  })

  it('derives from COFFER_MNEMONIC and from a fresh mnemonic', async () => {
    const out = await example('derive-addresses.ts', [], {
      COFFER_MNEMONIC: 'legal winner thank year wave sausage worth useful legal winner thank yellow',
    })
    expect(out).not.toContain('0x9858EfFD232B4033E47d90003D41EC34EcaEda94')
    expect(out.match(/0x[0-9a-fA-F]{40}/g)).toHaveLength(3)
    const fresh = await example('derive-addresses.ts', ['--new'])
    expect(fresh).toMatch(/New mnemonic/)
    expect(fresh.match(/\bT[1-9A-HJ-NP-Za-km-z]{33}\b/g)).toHaveLength(3)
  })
})

describe('examples/vault.ts', () => {
  it('creates a vault file, adds a mnemonic, locks, unlocks and prints addresses', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coffer-example-'))
    try {
      const file = join(dir, 'w.vault')
      const out = await example('vault.ts', [file], { COFFER_PASSWORD: 'example password' })
      expect(out).toMatch(/Locked: true/)
      expect(out).toMatch(/Unlocked: true; secrets: main \(mnemonic\)/)
      const evm = /EVM address: +(0x[0-9a-fA-F]{40})/.exec(out)?.[1]
      expect(evm).toBeDefined()
      expect(out).toMatch(/Bitcoin address: +bc1p[02-9ac-hj-np-z]{58}/)
      expect(out).toContain('"privateKey":"[redacted]"')
      expect(statSync(file).mode & 0o777).toBe(0o600)
      // The file on disk is a coffer vault that opens with the password and signs as that address.
      const vault = await Vault.open({ storage: fileStorage(file) })
      await vault.unlock('example password')
      const [secret] = vault.listSecrets()
      expect((await vault.getSigner({ secretId: secret!.id, chain: 'evm' })).address).toBe(evm)
      const phrase = await vault.revealMnemonic(secret!.id, 'example password')
      expect(phrase.split(' ')).toHaveLength(24)
      expect(readFileSync(file, 'utf8')).not.toContain(phrase.split(' ').slice(0, 2).join(' '))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('examples/send-stablecoin.ts', () => {
  it('funds an account on a local anvil, sends a USDT-like token and prints balances before and after', async () => {
    const out = await example('send-stablecoin.ts')
    const before = out.slice(out.indexOf('Before:'), out.indexOf('Quote:'))
    const after = out.slice(out.indexOf('After:'))
    expect(before).toMatch(/alice USDT 1000\n/)
    expect(before).toMatch(/bob {3}USDT 0\n/)
    expect(out).toMatch(/Quote: 250\.5 USDT to bob, fee up to 0\.\d+ ETH/)
    expect(out).toMatch(/Sent 0x[0-9a-f]{64}: confirmed in block \d+/)
    expect(after).toMatch(/alice USDT 749\.5\n/)
    expect(after).toMatch(/bob {3}USDT 250\.5\n/)
  })
})

describe('examples/bitcoin-psbt.ts', () => {
  it('derives a BIP-84 account, builds, signs and prints a PSBT and the final transaction', async () => {
    const out = await example('bitcoin-psbt.ts')
    expect(out).toMatch(/descriptor:\n {2}wpkh\(\[73c5da0a\/84h\/1h\/0h\]tpub\w+\/<0;1>\/\*\)#\w{8}/)
    expect(out).toMatch(/Discovered 2 used addresses, balance 0\.0175 BTC/)
    const psbt = /Unsigned PSBT[^\n]*\n {2}(\S+)/.exec(out)?.[1]
    expect(psbt?.startsWith('cHNidP8')).toBe(true) // base64 of "psbt\xff"
    expect(out).toMatch(/Final transaction [0-9a-f]{64}:\n {2}02000000/)
    expect(out).toMatch(/Broadcast [0-9a-f]{64}: confirmed, 1 confirmation/)
  })
})

describe('examples/track-balances.ts', () => {
  it('watches two accounts on a local anvil, prints each transfer as it happens, a portfolio table with totals and the CSV history', async () => {
    const out = await example('track-balances.ts')
    const live = out.slice(out.indexOf('Watching…'), out.indexOf('Portfolio:'))
    expect(live.match(/↑ alice: sent 250\.5 USDT to bob \(block \d+, 0x[0-9a-f]{10}…\)/g)).toHaveLength(1)
    expect(live.match(/↓ bob: received 250\.5 USDT from alice/g)).toHaveLength(1)
    expect(live.match(/↑ alice: sent 100 USDC to bob/g)).toHaveLength(1)
    expect(live.match(/↓ bob: received 100 USDC from alice/g)).toHaveLength(1)
    expect(live.match(/↓ alice: received 42 USDT from 0x00000000…/g)).toHaveLength(1)
    const table = out.slice(out.indexOf('Portfolio:'), out.indexOf('History (CSV):'))
    expect(table).toMatch(/alice\s+USDT\s+791\.5\s+791\.50\n/)
    expect(table).toMatch(/bob\s+USDC\s+100\s+99\.99\n/)
    expect(table).toMatch(/total\s+USDT\s+1042\s+1042\.00\n/)
    expect(table).toMatch(/total\s+USDC\s+500\s+499\.95\n/)
    expect(table).toMatch(/total\s+test networks\s+\d+\.\d{2}\n/) // a local chain's value never adds to mainnet value
    const csv = out.slice(out.indexOf('History (CSV):')).split('\n').slice(1).filter(Boolean)
    expect(csv[0]).toMatch(/^date,chain,asset,symbol,direction,amount/)
    expect(csv).toHaveLength(1 + 7) // 2 fundings, 2 × (out + in), 1 mint
  })
})

describe('examples/pay-request.ts', () => {
  it('pays an EIP-681 request from a fresh wallet under a daily limit, refuses the next, and prints a journal that verifies', async () => {
    const out = await example('pay-request.ts')
    expect(out).toMatch(/Payment request:\n {2}ethereum:0x[0-9a-fA-F]{40}@31337\/transfer\?address=0x0{36}bEEF&uint256=42500000\n/)
    expect(out).toMatch(/[█▀▄]{20,}/) // the QR code, in the terminal
    expect(out).toMatch(/Quote: 42\.5 USDT to 0x0{36}bEEF, fee up to 0\.\d+ ETH/)
    expect(out).toMatch(/Paid: 0x[0-9a-f]{64} \(confirmed in block \d+\)/)
    expect(out).toMatch(
      /Refused: Refused by policy \(perWindow\): 80 USDT would bring the last 24 h to 122\.5 USDT, over the limit of 100 \(already spent: 42\.5\)/,
    )
    expect(out).toMatch(/#0 \S+ transaction 42\.5 USDT to 0x0{36}bEEF intent\n/)
    expect(out).toMatch(/#1 \S+ transaction 42\.5 USDT to 0x0{36}bEEF signed hash (0x[0-9a-f]{64})/)
    expect(out).toMatch(/#2 \S+ transaction 42\.5 USDT to 0x0{36}bEEF sent hash 0x[0-9a-f]{64}/)
    expect(out).toMatch(/#3 \S+ refused {5}80 USDT to 0x0{36}bEEF refused \(perWindow\)/)
    expect(out).toMatch(/Journal verifies: true \(4 entries, head [0-9a-f]{16}…\)/)
  })
})

describe('examples/import-metamask.ts', () => {
  it("imports a MetaMask vault made by MetaMask's own library, derives MetaMask's first accounts and signs a message that recovers", async () => {
    const out = await example('import-metamask.ts')
    expect(out).toMatch(/MetaMask vault: \d+ characters of JSON \(data, iv, salt, keyMetadata: PBKDF2 × 900000\)/)
    expect(out).toContain(
      '{"type":"HD Key Tree","supported":true,"numberOfAccounts":2,"hdPath":"m/44\'/60\'/0\'/0","mnemonic":"[redacted]"}',
    )
    expect(out).toContain('{"type":"Simple Key Pair","supported":true,"privateKeys":["[redacted]"]}')
    expect(out).toContain('Ledger Hardware: not importable')
    expect(out).toMatch(
      /Imported 2 secrets:\n {2}[0-9a-f]{16} {2}mnemonic {3}MetaMask\n {2}[0-9a-f]{16} {2}privateKey MetaMask imported key\n/,
    )
    expect(out).toContain("Account 1: 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266  (m/44'/60'/0'/0/0)")
    expect(out).toContain("Account 2: 0x70997970C51812dc3A010C7d01b50e0d17dc79C8  (m/44'/60'/0'/0/1)")
    expect(out).toContain('Imported:  0x2c7536E3605D9C16a7a3D7b1898e529396a65c23')
    expect(out).toMatch(
      /signature 0x[0-9a-f]{18}…[0-9a-f]{8}\n {2}recovered 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 \(matches account 1\)/,
    )
    expect(out).not.toContain('test test')
    expect(out).not.toContain('4c0883a691')
  })
})

describe('examples/sign-permit.ts', () => {
  it('signs an EIP-2612 permit in the vault, a relayer submits it and spends the allowance, and typed data recovers to the owner', async () => {
    const out = await example('sign-permit.ts')
    const owner = /Owner +(0x[0-9a-fA-F]{40}): 1000 USDC, 0 ETH/.exec(out)?.[1]
    expect(owner).toBeDefined()
    expect(out).toMatch(/Permit signed for 25 USDC: nonce 0, deadline \d{4}-\d\d-\d\dT/)
    expect(out).toMatch(/digest {4}0x[0-9a-f]{64}\n/)
    expect(out).toContain('Allowance before: 0 USDC')
    expect(out).toMatch(/permit\(\) sent by the relayer: confirmed/)
    expect(out).toContain("Allowance after:  25 USDC; owner's permit nonce now 1")
    expect(out).toContain('Replayed permit: refused by the token (EIP2612: invalid signature)')
    expect(out).toContain('transferFrom() by the relayer: confirmed')
    expect(out).toMatch(/owner USDC 975\n {2}owner ETH  0\n {2}shop  USDC 25\n/)
    expect(out).toContain('Allowance left: 0 USDC')
    expect(out).toContain(`recovered ${owner} (the owner)`)
  })
})

describe('examples/offline-signing.ts', () => {
  it('builds a USDT transfer online, signs it with no network, and broadcasts the signed JSON', async () => {
    const out = await example('offline-signing.ts')
    const from = /Offline vault holds the key of (0x[0-9a-fA-F]{40})/.exec(out)?.[1]
    expect(from).toBeDefined()
    expect(out).toMatch(
      /\[online\] {2}unsigned\.json \(120 USDT to 0x0{36}bEEF, fee up to 0\.\d+ ETH\):\n\{\n {2}"chainId": "eip155:31337",\n {2}"kind": "evm-eip1559",/,
    )
    expect(out).toContain(`"from": "${from}"`)
    expect(out).toContain('"amount": "120000000"')
    expect(out).toContain(
      '[offline] payload checked: transfer(0x000000000000000000000000000000000000bEEF, 120000000) on the USDT contract, matching the summary',
    )
    expect(out).toContain('[offline] network requests made while signing: 0')
    expect(out).toMatch(/\[offline\] a balance read fails, as it should: RpcError: .+ \([1-9]\d* requests? attempted\)/)
    const short = /"hash": "(0x[0-9a-f]{10})…([0-9a-f]{6})"/.exec(out)
    const hash = /\[online\] {2}broadcast (0x[0-9a-f]{64}): confirmed in block \d+/.exec(out)?.[1]
    expect(hash?.startsWith(short![1]!)).toBe(true)
    expect(hash?.endsWith(short![2]!)).toBe(true)
    expect(out).toMatch(/sender {4}380 USDT\n {2}recipient 120 USDT/)
  })
})
