/**
 * `coffer address` on Bitcoin (a wallet restored from "abandon … about" over the local Esplora
 * server) and on an EVM chain: the next unused receive address, the offline fallback with its
 * note, `--json`, and `--qr` codes read back with jsQR and holding a BIP-21 or EIP-681 URI that
 * names the chain. Expected addresses come from the BIP-84 vectors and from derivations made
 * without coffer (@scure/bip32 + bitcoinjs-lib, viem).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { HDKey } from '@scure/bip32'
import { mnemonicToSeedSync } from '@scure/bip39'
import { payments } from 'bitcoinjs-lib'
import { mnemonicToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NETWORKS, startEsplora, type EsploraServer } from '../support/esplora-server.js'
import vectors from '../vectors/bip-addresses.json'
import { cliBundle, coffer, json, type RunResult } from './helpers.js'
import { decodeTerminalQr } from './qr-decode.js'

const PASSWORD = 'correct horse battery staple'
const ABANDON = vectors.bip84.mnemonic
const MAINNET = 'bip122:000000000019d6689c085ae165831e93'
const [RECEIVE0, RECEIVE1] = vectors.bip84.addresses.map((a) => a.address) as [string, string]
const root = HDKey.fromMasterSeed(mnemonicToSeedSync(ABANDON))
const p2wpkh = (path: string) => payments.p2wpkh({ pubkey: root.derive(path).publicKey as Uint8Array, network: NETWORKS.mainnet }).address

let server: EsploraServer
let dir: string
let descriptor: string
const run = (args: string[]): Promise<RunResult> => coffer(args, { cwd: dir, env: { COFFER_PASSWORD: PASSWORD } })

beforeAll(async () => {
  ;[server] = await Promise.all([startEsplora({ network: 'mainnet' }), cliBundle()])
  dir = mkdtempSync(join(tmpdir(), 'coffer-cli-address-'))
  writeFileSync(
    join(dir, 'coffer.config.json'),
    JSON.stringify({ chains: [{ name: 'btc', bitcoin: { network: 'mainnet', esploraUrl: server.url } }] }),
  )
  // The same wallet, its chain down: nothing listens on port 9.
  writeFileSync(
    join(dir, 'down.json'),
    JSON.stringify({ chains: [{ name: 'btc', bitcoin: { network: 'mainnet', esploraUrl: 'http://127.0.0.1:9' } }] }),
  )
  writeFileSync(join(dir, 'none.json'), JSON.stringify({ chains: [] }))
  writeFileSync(join(dir, 'words'), `${ABANDON}\n`)
  const init = await run(['init', '--mnemonic-file', 'words', '--json'])
  expect(init.code, init.stderr).toBe(0)
}, 60_000)

afterAll(async () => {
  await server?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('coffer address', () => {
  it('Bitcoin: the next unused receive address, with its descriptor and index (--json)', async () => {
    const first = await run(['address', 'btc', '--json'])
    expect(first.code, first.stderr).toBe(0)
    const doc = json<{ descriptor: string }>(first)
    expect(doc).toEqual({
      chainId: MAINNET,
      account: 0,
      addressType: 'p2wpkh',
      descriptor: expect.stringMatching(/^wpkh\(\[73c5da0a\/84h\/0h\/0h\]xpub[1-9A-HJ-NP-Za-km-z]+\/<0;1>\/\*\)#[a-z0-9]{8}$/),
      index: 0,
      address: RECEIVE0,
      path: "m/84'/0'/0'/0/0",
      discovered: true,
    })
    expect(doc.descriptor).toContain(root.derive(vectors.bip84.accountPath).publicExtendedKey)
    descriptor = doc.descriptor

    // Index 0 receives a payment: the command moves on to index 1.
    await server.fund(RECEIVE0, 25_000n)
    const next = await run(['address', 'btc'])
    expect(next.code, next.stderr).toBe(0)
    expect(next.stdout).toBe(`${RECEIVE1}\n`)
    expect(next.stderr).toBe('')
    expect(json(await run(['address', 'btc', '--json']))).toMatchObject({ address: RECEIVE1, index: 1, descriptor, discovered: true })
  })

  it('Bitcoin --qr: a BIP-21 URI of the receive address, read back from the terminal drawing', async () => {
    const [text, qrJson] = await Promise.all([run(['address', 'btc', '--qr']), run(['address', 'btc', '--qr', '--json'])])
    expect(text.code, text.stderr).toBe(0)
    const lines = text.stdout.trimEnd().split('\n')
    expect(lines[0]).toBe(RECEIVE1)
    expect(decodeTerminalQr(lines)).toBe(`bitcoin:${RECEIVE1}`)
    expect(lines.at(-1)).toBe(`bitcoin:${RECEIVE1}`)

    const doc = json<{ uri: string; qr: string }>(qrJson)
    expect(doc).toMatchObject({ address: RECEIVE1, descriptor, index: 1, uri: `bitcoin:${RECEIVE1}` })
    expect(decodeTerminalQr(doc.qr.split('\n'))).toBe(`bitcoin:${RECEIVE1}`)
  })

  it('Bitcoin, chain unreachable or not configured: the first receive address, with a note on stderr', async () => {
    const [down, downJson, unconfigured] = await Promise.all([
      run(['--config', 'down.json', 'address', 'btc']),
      run(['--config', 'down.json', 'address', 'btc', '--json']),
      run(['--config', 'none.json', 'address', MAINNET, '--index', '1', '--json']),
    ])
    expect(down.code, down.stderr).toBe(0)
    expect(down.stdout).toBe(`${RECEIVE0}\n`)
    expect(down.stderr.split('\n').filter((l) => l.startsWith('(btc'))).toEqual([
      expect.stringMatching(
        /^\(btc did not answer: Esplora .+\. This is the account's first receive address, which may have been used already\.\)$/,
      ),
    ])
    expect(json(downJson)).toMatchObject({ address: RECEIVE0, index: 0, descriptor, discovered: false })
    expect(unconfigured.code, unconfigured.stderr).toBe(0)
    expect(json(unconfigured)).toMatchObject({
      chainId: MAINNET,
      account: 1,
      addressType: 'p2wpkh',
      descriptor: expect.stringMatching(/^wpkh\(\[73c5da0a\/84h\/0h\/1h\]/),
      index: 0,
      address: p2wpkh("m/84'/0'/1'/0/0"),
      path: "m/84'/0'/1'/0/0",
      discovered: false,
    })
    expect(unconfigured.stderr).toMatch(/first receive address of the account/)
  })

  it('Bitcoin: another account and address type (--index, --type)', async () => {
    const result = await run(['address', 'btc', '--index', '1', '--json'])
    expect(result.code, result.stderr).toBe(0)
    expect(json(result)).toMatchObject({ account: 1, index: 0, address: p2wpkh("m/84'/0'/1'/0/0"), discovered: true })
    const taproot = await run(['address', 'btc', '--type', 'p2tr', '--json'])
    expect(taproot.code, taproot.stderr).toBe(0)
    expect(json(taproot)).toMatchObject({
      addressType: 'p2tr',
      index: 0,
      address: vectors.bip86.addresses[0]!.address,
      descriptor: expect.stringMatching(/^tr\(/),
    })
  })

  it("EVM --qr: an EIP-681 URI with the chain id, so the payer's app cannot pick another chain", async () => {
    const address = mnemonicToAccount(ABANDON).address
    const [result, doc] = await Promise.all([run(['address', 'eip155:137', '--qr']), run(['address', 'eip155:137', '--qr', '--json'])])
    expect(result.code, result.stderr).toBe(0)
    const lines = result.stdout.trimEnd().split('\n')
    expect(lines[0]).toBe(address)
    expect(decodeTerminalQr(lines)).toBe(`ethereum:${address}@137`)
    const evm = json<{ qr: string }>(doc)
    expect(evm).toMatchObject({ chainId: 'eip155:137', index: 0, address, uri: `ethereum:${address}@137` })
    expect(decodeTerminalQr(evm.qr.split('\n'))).toBe(`ethereum:${address}@137`)
  })
})
