/**
 * The `coffer` command end to end, as a user runs it: a child process per command, a temp
 * folder as working directory with a coffer.config.json, the password in COFFER_PASSWORD and
 * answers on stdin, against a private anvil with the fixture tokens. The tests run in order
 * and share one wallet (init → fund → balance → send → … → sign offline with anvil stopped).
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { recoverTransactionAddress, keccak256, type Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deriveAccount, mnemonicToSeed, validateMnemonic } from 'coffer/keys'
import { evm } from 'coffer/evm'
import { importKeystore } from 'coffer/vault'
import { deployFixtures, mintTokens, setBalance, startAnvil, type Anvil, type Fixtures } from '../support/anvil.js'
import { cliBundle, coffer, json, runWithTsx, startCoffer, type RunOptions, type RunResult } from './helpers.js'
import { decodeTerminalQr } from './qr-decode.js'

const PASSWORD = 'correct horse battery staple'
const RECIPIENT = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'

let anvil: Anvil
let fixtures: Fixtures
let dir: string
let address: `0x${string}`

const env = (extra: Record<string, string> = {}) => ({ COFFER_PASSWORD: PASSWORD, ...extra })
const run = (args: string[], options: Partial<RunOptions> = {}): Promise<RunResult> => coffer(args, { cwd: dir, env: env(), ...options })

/** stderr is exactly one `error: …` line: no stack, no details block. */
function expectOneLineError(result: RunResult, pattern: RegExp): void {
  const lines = result.stderr.split('\n').filter((l) => l.length > 0)
  expect(
    lines.filter((l) => l.startsWith('error: ')),
    result.stderr,
  ).toHaveLength(1)
  expect(lines.find((l) => l.startsWith('error: '))).toMatch(pattern)
  expect(result.stderr).not.toMatch(/\n\s+at |Details:/)
}

async function balancesOf(owner: string): Promise<{ usdt: bigint; eth: bigint }> {
  const adapter = evm({
    chain: 'eip155:31337',
    rpcUrls: [anvil.url],
    tokens: [{ address: fixtures.usdt.address, symbol: 'USDT', decimals: 6 }],
  })
  const usdtId = `eip155:31337/erc20:${fixtures.usdt.address.toLowerCase()}`
  const read = await adapter.getBalances({
    addresses: [owner],
    assets: [adapter.nativeAsset, usdtId as `${string}:${string}/${string}:${string}`],
  })
  const amount = (i: number) => {
    const b = read[i]
    if (!b?.ok) throw new Error('balance read failed')
    return b.amount
  }
  return { eth: amount(0), usdt: amount(1) }
}

beforeAll(async () => {
  ;[anvil] = await Promise.all([startAnvil({ chainId: 31337 }), cliBundle()])
  fixtures = await deployFixtures(anvil.url)
  dir = mkdtempSync(join(tmpdir(), 'coffer-cli-'))
  const config = {
    currency: 'usd',
    chains: [
      {
        name: 'local',
        chain: 'eip155:31337',
        rpcUrls: [anvil.url],
        tokens: [
          { address: fixtures.usdt.address, symbol: 'USDT', decimals: 6, family: 'USDT' },
          { address: fixtures.usdc.address, symbol: 'USDC', decimals: 6, family: 'USDC' },
        ],
      },
    ],
    prices: { fixed: { USDT: '1', USDC: '1' } },
    policy: { limits: [{ asset: 'USDT', perTransaction: '100' }] },
  }
  writeFileSync(join(dir, 'coffer.config.json'), JSON.stringify(config, null, 2))
}, 60_000)

afterAll(async () => {
  await anvil?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('coffer (end to end)', () => {
  it('init creates the wallet, shows the new mnemonic once, and refuses a second init', async () => {
    const created = await run(['init', '--json'])
    expect(created.code, created.stderr).toBe(0)
    const doc = json<{ mnemonic: string; warning: string; accounts: { chainId: string; address: `0x${string}` }[] }>(created)
    expect(doc.mnemonic.split(' ')).toHaveLength(12)
    expect(validateMnemonic(doc.mnemonic)).toBe(true)
    expect(doc.warning).toMatch(/write these words down/i)
    const expected = deriveAccount(await mnemonicToSeed(doc.mnemonic), { chain: 'evm' }).address
    expect(doc.accounts).toEqual([{ chainId: 'eip155:31337', index: 0, address: expected }])
    address = expected as `0x${string}`
    expect(existsSync(join(dir, 'coffer-wallet'))).toBe(true)

    const again = await run(['init'])
    expect(again.code).toBe(2)
    expectOneLineError(again, /already exists/)
    expect(again.stdout).toBe('')

    // Human output, in another location: a warning and each word once.
    const human = await run(['init', '--vault', 'second-wallet', '--words', '24'])
    expect(human.code, human.stderr).toBe(0)
    expect(human.stdout).toMatch(/WARNING: Write these words down/)
    const words = [...human.stdout.matchAll(/\b(\d{1,2})\. ([a-z]+)/g)].map((m) => m[2])
    expect(words).toHaveLength(24)
    expect(validateMnemonic(words.join(' '))).toBe(true)
  })

  it('address prints the account address (text and --json)', async () => {
    const [text, doc] = await Promise.all([run(['address', 'local']), run(['address', 'eip155:31337', '--json'])])
    expect(text.code, text.stderr).toBe(0)
    expect(text.stdout.trim()).toBe(address)
    expect(json(doc)).toMatchObject({ chainId: 'eip155:31337', index: 0, address })
  })

  it('balance shows funded amounts in a table and as JSON, with fiat values', async () => {
    await setBalance(anvil.url, address, 2n * 10n ** 18n)
    await mintTokens(anvil.url, fixtures.usdt.address, address, 250_000_000n)
    const [table, doc] = await Promise.all([run(['balance']), run(['balance', '--json'])])
    expect(table.code, table.stderr).toBe(0)
    const usdtRow = table.stdout.split('\n').find((l) => l.includes(address) && l.includes('USDT'))
    expect(usdtRow).toMatch(/\b250\b/)
    expect(usdtRow).toMatch(/250\.00 USD/)
    expect(table.stdout.split('\n').find((l) => l.includes(address) && l.includes('ETH'))).toMatch(/\b2\b/)
    expect(doc.code).toBe(0)
    const balances = json<{ balances: { asset: string; symbol: string; amount: string; value?: string }[] }>(doc).balances
    expect(balances.find((b) => b.symbol === 'USDT')).toMatchObject({ amount: '250000000', value: '250.00' })
    expect(balances.find((b) => b.symbol === 'ETH')).toMatchObject({ amount: '2000000000000000000' })
  })

  it('balance --watch prints a snapshot, then incoming transfers as JSON lines, until Ctrl-C', async () => {
    const watching = await startCoffer(['balance', '--watch', '--json', '--interval', '200'], { cwd: dir, env: env() })
    try {
      await watching.waitForStdout(/"event":"snapshot"/)
      await mintTokens(anvil.url, fixtures.usdc.address, address, 3_000_000n)
      await watching.waitForStdout(/"event":"incoming"/)
    } finally {
      const result = await watching.stop('SIGINT')
      expect(result.code).toBe(130)
      const events = result.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { event: string; symbol?: string; amount?: string; to?: string })
      expect(events[0]).toMatchObject({ event: 'snapshot', currency: 'usd' })
      expect(events.find((e) => e.event === 'incoming')).toMatchObject({ symbol: 'USDC', amount: '3000000', to: address })
    }
  })

  it('send answered "n" on stdin exits 130 and sends nothing', async () => {
    const before = await balancesOf(RECIPIENT)
    const result = await run(['send', 'local', 'USDT', '12.5', RECIPIENT], { input: 'n\n' })
    expect(result.code).toBe(130)
    expect(result.stdout).toMatch(/Send: +12\.5 USDT/)
    expectOneLineError(result, /Cancelled/)
    expect(await balancesOf(RECIPIENT)).toEqual(before)
  })

  it('send answered "y" on stdin moves the funds, waits for the confirmation and journals it', async () => {
    const before = await balancesOf(RECIPIENT)
    const result = await run(['send', 'local', 'USDT', '12.5', RECIPIENT], { input: 'y\n' })
    expect(result.code, result.stderr).toBe(0)
    const hash = /Sent: (0x[0-9a-f]{64})/.exec(result.stdout)?.[1]
    expect(hash).toBeDefined()
    expect(result.stdout).toMatch(/Status: confirmed in block \d+/)
    expect((await balancesOf(RECIPIENT)).usdt - before.usdt).toBe(12_500_000n)
    expect((await balancesOf(address)).usdt).toBe(237_500_000n)

    const journal = await run(['journal', 'show', '--json'])
    const entries = json<{ entries: { kind: string; hash?: string; amount?: string; decision: { allowed: boolean; rule?: string } }[] }>(
      journal,
    ).entries
    expect(entries.find((e) => e.hash === hash)).toMatchObject({ kind: 'transaction', amount: '12500000', decision: { allowed: true } })
    expect(entries.find((e) => e.kind === 'refused')).toMatchObject({ decision: { allowed: false, rule: 'confirm' } })
  })

  it('a wrong password exits 3 with one line and no stack, even with --json', async () => {
    const result = await run(['sign-message', 'local', 'hi'], { env: env({ COFFER_PASSWORD: 'wrong password' }) })
    expect(result.code).toBe(3)
    expectOneLineError(result, /^error: Wrong password/)
    expect(result.stdout).toBe('')
    const asJson = await run(['journal', 'verify', '--json'], { env: env({ COFFER_PASSWORD: 'wrong password' }) })
    expect(asJson.code).toBe(3)
    expect(json(asJson)).toEqual({ error: { code: 'WRONG_PASSWORD', message: expect.stringMatching(/Wrong password/), exitCode: 3 } })
  })

  it('a policy refusal exits 4 and sends nothing', async () => {
    const before = await balancesOf(address)
    const result = await run(['send', 'local', 'USDT', '150', RECIPIENT, '--yes'])
    expect(result.code).toBe(4)
    expectOneLineError(result, /perTransaction/)
    expect((await balancesOf(address)).usdt).toBe(before.usdt)
  })

  it('pay pays an EIP-681 request (--json)', async () => {
    const before = await balancesOf(RECIPIENT)
    const uri = `ethereum:${fixtures.usdt.address}@31337/transfer?address=${RECIPIENT}&uint256=2e6`
    const result = await run(['pay', uri, '--yes', '--json'])
    expect(result.code, result.stderr).toBe(0)
    const doc = json<{ hash: string; amount: string; symbol: string; to: string; status: { state: string } }>(result)
    expect(doc).toMatchObject({ amount: '2000000', symbol: 'USDT', to: RECIPIENT, status: { state: 'confirmed' } })
    expect((await balancesOf(RECIPIENT)).usdt - before.usdt).toBe(2_000_000n)
  })

  it('history --csv prints the header and the sends; journal verify passes', async () => {
    const [csv, verify] = await Promise.all([run(['history', '--csv']), run(['journal', 'verify'])])
    expect(csv.code, csv.stderr).toBe(0)
    const lines = csv.stdout.trim().split(/\r?\n/)
    expect(lines[0]).toMatch(/^date,chain,asset,symbol,direction,amount/)
    expect(lines.filter((l) => l.includes(',USDT,out,'))).toHaveLength(2)
    expect(verify.code, verify.stderr).toBe(0)
    expect(verify.stdout).toMatch(/^Journal OK: 8 entries/) // two payments (intent, signed, sent each) and two refusals
  })

  it('export keystore writes a keystore that importKeystore opens to the same address', async () => {
    writeFileSync(join(dir, 'ks-password'), 'keystore secret\n')
    const result = await run(['export', 'keystore', '--out', 'account0.json', '--keystore-password-file', 'ks-password', '--json'])
    expect(result.code, result.stderr).toBe(0)
    expect(json(result)).toEqual({ address, out: 'account0.json' })
    const file = join(dir, 'account0.json')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const opened = await importKeystore(readFileSync(file, 'utf8'), 'keystore secret')
    expect(opened.address).toBe(address)
    opened.privateKey.fill(0)
    // The keystore password may also come on stdin; an existing file is never overwritten.
    const again = await run(['export', 'keystore', '--out', 'account0.json'], { input: 'keystore secret\n' })
    expect(again.code).toBe(2)
    expectOneLineError(again, /exists/)
  })

  it('import mnemonic (stdin), keystore and metamask fill a second wallet', async () => {
    const hardhat = 'test test test test test test test test test test test junk'
    const restored = await run(['--vault', 'imported', 'import', 'mnemonic', '--json'], { input: `${hardhat}\n` })
    expect(restored.code, restored.stderr).toBe(0)
    expect(json(restored)).toMatchObject({
      created: true,
      restored: true,
      accounts: [{ chainId: 'eip155:31337', index: 0, address: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266' }],
    })
    // A phrase is never taken from the command line, and a bad one is refused with a usage error.
    const bad = await run(['--vault', 'imported', 'import', 'mnemonic'], { input: 'test test test\n' })
    expect(bad.code).toBe(2)
    expectOneLineError(bad, /not a valid BIP-39 mnemonic/)

    // The keystore exported above (account 0 of the first wallet) joins as a private key.
    const keystore = await run([
      '--vault',
      'imported',
      'import',
      'keystore',
      'account0.json',
      '--keystore-password-file',
      'ks-password',
      '--json',
    ])
    expect(keystore.code, keystore.stderr).toBe(0)
    expect(json(keystore)).toMatchObject({ created: false, address, secret: { kind: 'privateKey' } })
    const wrong = await run(['--vault', 'imported', 'import', 'keystore', 'account0.json'], { input: 'not the password\n' })
    expect(wrong.code).toBe(3)
    expectOneLineError(wrong, /Wrong keystore password/)

    // A MetaMask extension vault, made by MetaMask's own library: its mnemonic and its imported key.
    const passworder = await import('@metamask/browser-passworder')
    const key = 'ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'
    const keyrings = [
      {
        type: 'HD Key Tree',
        data: {
          mnemonic: 'legal winner thank year wave sausage worth useful legal winner thank yellow',
          numberOfAccounts: 1,
          hdPath: "m/44'/60'/0'/0",
        },
      },
      { type: 'Simple Key Pair', data: [key] },
    ]
    writeFileSync(
      join(dir, 'metamask.json'),
      await passworder.encrypt('metamask secret', keyrings, undefined, undefined, { algorithm: 'PBKDF2', params: { iterations: 1_000 } }),
    )
    writeFileSync(join(dir, 'mm-password'), 'metamask secret\n')
    const metamask = await run([
      '--vault',
      'imported',
      'import',
      'metamask',
      'metamask.json',
      '--metamask-password-file',
      'mm-password',
      '--json',
    ])
    expect(metamask.code, metamask.stderr).toBe(0)
    const added = json<{ added: { kind: string; evmAddress: string }[]; skippedKeyrings: number }>(metamask)
    const legal = deriveAccount(await mnemonicToSeed('legal winner thank year wave sausage worth useful legal winner thank yellow'), {
      chain: 'evm',
    }).address
    expect(added).toEqual({
      created: false,
      skippedKeyrings: 0,
      added: [
        { id: expect.any(String), kind: 'mnemonic', label: 'MetaMask', evmAddress: legal },
        {
          id: expect.any(String),
          kind: 'privateKey',
          label: 'MetaMask imported key',
          evmAddress: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
        },
      ],
    })
    // The wallet's own account stays the restored mnemonic's.
    const own = await run(['--vault', 'imported', 'address', 'local'])
    expect(own.stdout.trim()).toBe('0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266')
  })

  it('address --qr draws an EIP-681 URI naming the chain (ethereum:<address>@31337) in the terminal', async () => {
    const result = await run(['address', 'local', '--qr'])
    expect(result.code, result.stderr).toBe(0)
    const [first, ...qr] = result.stdout.split('\n')
    expect(first).toBe(address)
    const drawn = qr.filter((l) => /[█▀▄]/.test(l))
    expect(drawn.length).toBeGreaterThan(10)
    expect(new Set(drawn.map((l) => l.length)).size).toBe(1)
    expect(decodeTerminalQr(qr)).toBe(`ethereum:${address}@31337`)
  })

  it('config errors exit 2 with the file and field named', async () => {
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ chains: [{ name: 'other', chain: 'eip155:31338', rpcUrls: [anvil.url] }] }))
    writeFileSync(join(dir, 'typo.json'), JSON.stringify({ chains: [], polcy: {} }))
    const [bad, typo] = await Promise.all([run(['--config', 'bad.json', 'balance']), run(['balance', '--config', 'typo.json'])])
    expect(bad.code).toBe(2)
    expectOneLineError(bad, /bad\.json: chains\[0\]: eip155:31338 is not in coffer's registry; describe it with "chainDefinition"/)
    expect(typo.code).toBe(2)
    expectOneLineError(typo, /unknown key "polcy"/)
  })

  it('sign-tx signs an unsigned transaction with the network off', async () => {
    const adapter = evm({
      chain: 'eip155:31337',
      rpcUrls: [anvil.url],
      tokens: [{ address: fixtures.usdt.address, symbol: 'USDT', decimals: 6 }],
    })
    const quote = await adapter.quoteTransfer({
      from: address,
      to: RECIPIENT,
      asset: `eip155:31337/erc20:${fixtures.usdt.address.toLowerCase()}` as `${string}:${string}/${string}:${string}`,
      amount: 1_000_000n,
    })
    const unsigned = await adapter.buildTransfer(quote)
    writeFileSync(join(dir, 'unsigned.json'), JSON.stringify(unsigned))
    await anvil.stop()
    // A chain defined only in the config (31338 is not in the registry), and a dead RPC: neither is touched.
    writeFileSync(
      join(dir, 'offline.json'),
      JSON.stringify({
        chains: [
          {
            name: 'local',
            chain: 'eip155:31337',
            rpcUrls: ['http://127.0.0.1:9'],
            tokens: [{ address: fixtures.usdt.address, symbol: 'USDT', decimals: 6 }],
          },
          {
            name: 'mine',
            chainDefinition: { id: 31338, name: 'My chain', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 } },
            rpcUrls: ['http://127.0.0.1:9'],
          },
        ],
      }),
    )
    const signed = await run(['--config', 'offline.json', 'sign-tx', 'unsigned.json', '--yes', '--json'])
    expect(signed.code, signed.stderr).toBe(0)
    expect(signed.stderr).toMatch(/Sign: +1 USDT/)
    const doc = json<{ chainId: string; from: string; hash: Hex; raw: Hex }>(signed)
    expect(doc).toMatchObject({ chainId: 'eip155:31337', from: address })
    expect(await recoverTransactionAddress({ serializedTransaction: doc.raw as never })).toBe(address)
    expect(keccak256(doc.raw)).toBe(doc.hash)
    // Without --json: the raw hex alone on stdout (pipe it to any node), the hash on stderr.
    const hex = await run(['--config', 'offline.json', 'sign-tx', 'unsigned.json'], { input: 'y\n' })
    expect(hex.code, hex.stderr).toBe(0)
    expect(hex.stdout.trim()).toMatch(/^0x02[0-9a-f]+$/)
    expect(await recoverTransactionAddress({ serializedTransaction: hex.stdout.trim() as never })).toBe(address)
    expect(hex.stderr).toContain(`Signed ${keccak256(hex.stdout.trim() as Hex)}`)

    // The new chain gets account 0 offline; the journal holds the offline signature too.
    const [mine, verify] = await Promise.all([
      run(['--config', 'offline.json', 'address', 'mine']),
      run(['--config', 'offline.json', 'journal', 'verify', '--json']),
    ])
    expect(mine.code, mine.stderr).toBe(0)
    expect(mine.stdout.trim()).toBe(address)
    expect(json(verify)).toMatchObject({ ok: true, count: 10 })
  })

  it('runs from the TypeScript source through tsx too (npm run cli)', async () => {
    writeFileSync(join(dir, 'pw'), `${PASSWORD}\n`)
    chmodSync(join(dir, 'pw'), 0o600)
    const result = await runWithTsx(['--config', 'offline.json', '--password-file', 'pw', 'address', 'local', '--json'], { cwd: dir })
    expect(result.code, result.stderr).toBe(0)
    expect(json(result)).toMatchObject({ address })
  })
})
