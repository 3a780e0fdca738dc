/** `npm run demo`, exactly as a new user runs it: the whole flow on an embedded chain, exit 0. */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)
const root = fileURLToPath(new URL('..', import.meta.url))

describe('npm run demo', () => {
  it('starts anvil, makes a wallet, pays under a limit, sees the transfer arrive, pays with the fee in USDT from an account with no ETH, shows the journal, and cleans up', async () => {
    const { stdout } = await run('npm', ['run', '--silent', 'demo'], {
      cwd: root,
      timeout: 120_000,
      env: { ...process.env, NO_COLOR: '1' },
    })
    const steps = stdout.match(/^\d+\. /gm) ?? []
    expect(steps).toHaveLength(9)
    expect(stdout).toMatch(/chain eip155:31337; USDT at 0x[0-9a-fA-F]{40}, USDC at 0x[0-9a-fA-F]{40}/)
    expect(stdout).toMatch(/alice\s+USDT\s+1000\s+\$1000\.00/)
    expect(stdout).toMatch(/sent 0x[0-9a-f]{64}: confirmed in block \d+/)
    expect(stdout).toMatch(/↓ bob: \+120 USDT \(block \d+\)/)
    expect(stdout).toMatch(
      /refused, nothing signed: Refused by policy \(perTransaction\): 400 USDC is more than 250 USDC per transaction\./,
    )
    // No ETH? Pay the fee in USDT: the plain quote is refused, the stablecoin one goes through a real bundler.
    expect(stdout).toMatch(/refused, nothing signed: Not enough ETH for the fee/)
    const cap = /quote: 20 USDT, fee at most (\d+\.\d+) USDT \(≈ 0\.\d+ ETH\), paid to paymaster 0x[0-9a-fA-F]{40}/.exec(stdout)
    const paid = /operation 0x[0-9a-f]{16}…: confirmed in block \d+; fee paid (\d+\.\d+) USDT/.exec(stdout)
    expect(cap, stdout).not.toBeNull()
    expect(paid, stdout).not.toBeNull()
    expect(Number(paid![1])).toBeGreaterThan(0)
    expect(Number(paid![1])).toBeLessThanOrEqual(Number(cap![1]))
    expect(stdout).toMatch(/carol\s+USDT\s+20\s+\$20\.00/)
    const bob = /bob\s+USDT\s+(\d+(?:\.\d+)?)\s/.exec(stdout.slice(stdout.indexOf('fee paid')))
    expect(Number(bob?.[1])).toBeCloseTo(100 - Number(paid![1]), 6)
    expect(stdout).toMatch(/#0 transaction 120 USDT\s+intent/)
    expect(stdout).toMatch(/#1 transaction 120 USDT\s+signed 0x[0-9a-f]{16}…/)
    expect(stdout).toMatch(/#2 transaction 120 USDT\s+sent\s+0x[0-9a-f]{16}…/)
    expect(stdout).toMatch(/#3 refused\s+400 USDC\s+refused \(perTransaction\)/)
    expect(stdout).toMatch(/#5 transaction 20 USDT\s+signed 0x[0-9a-f]{16}…/)
    expect(stdout).toMatch(/verify\(\): intact, 7 entries/)
    expect(stdout).toMatch(/anvil stopped, temp directory removed\./)
    expect(stdout).not.toMatch(/demo password/)
  })
})

describe('npm run demo:solana', () => {
  it('starts a local Solana cluster, pays a Solana Pay QR in USDC, finds the payment by its reference, and cleans up', async () => {
    const { stdout } = await run('npm', ['run', '--silent', 'demo:solana'], {
      cwd: root,
      timeout: 120_000,
      env: { ...process.env, NO_COLOR: '1' },
    })
    expect(stdout.match(/^\d+\. /gm) ?? []).toHaveLength(8)
    expect(stdout).toMatch(/chain solana:[1-9A-HJ-NP-Za-km-z]{32}; USDC mint [1-9A-HJ-NP-Za-km-z]{32,44}/)
    expect(stdout).toMatch(
      /solana:[1-9A-HJ-NP-Za-km-z]{32,44}\?amount=12\.5&spl-token=[1-9A-HJ-NP-Za-km-z]+&reference=[1-9A-HJ-NP-Za-km-z]+&label=Corner%20Coffee/,
    )
    expect(stdout).toMatch(/█/)
    expect(stdout).toMatch(/confirm: 12\.5 USDC to [1-9A-HJ-NP-Za-km-z]+; fee and rent up to 0\.00\d+ SOL/)
    expect(stdout).toMatch(/paid [1-9A-HJ-NP-Za-km-z]{20}…: confirmed in slot \d+/)
    expect(stdout).toMatch(/found [1-9A-HJ-NP-Za-km-z]{20}… \(the payer’s transaction\)/)
    expect(stdout).toMatch(/payer USDC\s+187\.5/)
    expect(stdout).toMatch(/shop\s+USDC\s+12\.5/)
    expect(stdout).toMatch(/journal: intact, 3 entries/)
    expect(stdout).toMatch(/local cluster stopped\./)
    expect(stdout).not.toMatch(/demo password/)
  })
})

describe('npm run demo:tron', () => {
  it('starts a local TRON backend, pays USDT to a new and to an existing holder, and prices energy, bandwidth and the burn', async () => {
    const { stdout } = await run('npm', ['run', '--silent', 'demo:tron'], {
      cwd: root,
      timeout: 120_000,
      env: { ...process.env, NO_COLOR: '1' },
    })
    expect(stdout.match(/^\d+\. /gm) ?? []).toHaveLength(9)
    expect(stdout).toMatch(/chain tron:0x[0-9a-f]{8}; USDT at T[1-9A-HJ-NP-Za-km-z]{33}/)
    expect(stdout).toMatch(/prices \(getchainparameters\): energy 100 sun, bandwidth 1000 sun\/byte, free bandwidth 600 bytes a day/)
    const energy = [...stdout.matchAll(/^ {3}energy: +([\d,]+) \((.*)\)$/gm)].map((m) => [Number(m[1]!.replace(/,/g, '')), m[2]] as const)
    expect(energy).toHaveLength(3)
    const [fresh, holder, staked] = energy
    // The local server's energy is EVM gas: a new balance slot (20,000 gas) makes the first transfer about twice the second.
    expect(fresh![0]).toBeGreaterThan(holder![0] + 15_000)
    expect(holder![0]).toBeGreaterThan(10_000)
    expect(fresh![1]).toMatch(/^no staked energy, all burn at 100 sun each: [\d.]+ TRX$/)
    expect(staked).toEqual([holder![0], 'all covered by staked energy: burn 0 TRX'])
    expect(stdout).toMatch(/bandwidth: 3\d\d bytes \(covered by the free 600 a day: burn 0 TRX\)/)
    expect(stdout).toMatch(/bandwidth: 3\d\d bytes \(not covered by what is left of the free 600 a day: burn 0\.3\d+ TRX\)/)
    const paid = [
      ...stdout.matchAll(
        /paid [0-9a-f]{16}…: confirmed in block \d+; burned ([\d.]+) TRX, quoted at most ([\d.]+) TRX \(within the quote\)/g,
      ),
    ]
    expect(paid).toHaveLength(2)
    const quoted = [...stdout.matchAll(/burns ([\d.]+) TRX if the estimate holds, at most ([\d.]+) TRX \(fee\.amount\)/g)]
    for (const [i, m] of paid.entries()) {
      const landed = Number(m[1])
      expect(landed).toBeLessThanOrEqual(Number(m[2]))
      expect(landed).toBe(Number(quoted[i]![1])) // the estimate held: what burned is what was expected
    }
    expect(stdout).toMatch(/energy to a new holder [\d,]+, to a holder [\d,]+: [\d,]+ less/)
    expect(stdout).toMatch(/refused before signing: Sending USDT on TRON burns TRX for energy and bandwidth: this account holds 0 TRX/)
    expect(stdout).toMatch(/payer USDT\s+950$/m)
    expect(stdout).toMatch(/shop  USDT\s+50$/m) // read by getBalances, though the shop was never activated
    expect(stdout).toMatch(/local TRON backend stopped\./)
    expect(stdout).not.toMatch(/demo password/)
  }, 120_000)
})
