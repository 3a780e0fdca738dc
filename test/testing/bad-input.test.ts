/**
 * coffer/testing refuses what it cannot do with typed errors that say how to fix it: bad options
 * (before anything starts), bad funding, a missing anvil binary or package.
 */
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { CofferError, startLocalBitcoin, startLocalChain, type LocalChain } from 'coffer/testing'
import { anvilPackageName, resolveAnvilBinary } from '../../src/testing/evm/anvil-binary.js'

/** The error a promise rejects with (fails the test if it resolves). */
async function failure(promise: Promise<unknown>): Promise<CofferError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(CofferError)
    return error as CofferError
  }
  throw new Error('expected a rejection')
}

describe('startLocalChain options', () => {
  const cases: [string, unknown, string, RegExp][] = [
    [
      'a chain id as a bare string',
      { chainId: '31337' },
      'INVALID_CAIP_ID',
      /chainId must be a number like 31337 or a CAIP-2 id like "eip155:31337", got "31337"; did you mean "eip155:31337"\?/,
    ],
    ['a chain id with a dash', { chainId: 'eip155-8453' }, 'INVALID_CAIP_ID', /did you mean "eip155:8453"\?/],
    [
      'a chain id of another namespace',
      { chainId: 'bip122:000000000019d6689c085ae165831e93' },
      'INVALID_CAIP_ID',
      /CAIP-2 id like "eip155:31337"/,
    ],
    ['chain id 0', { chainId: 0 }, 'INVALID_ARGUMENT', /chainId must be an integer from 1 to/],
    ['a fractional chain id', { chainId: 1.5 }, 'INVALID_ARGUMENT', /chainId must be an integer/],
    [
      'lower-case token symbols',
      { tokens: ['usdt'] },
      'INVALID_ARGUMENT',
      /deploys USDT, USDC, DAI, got "usdt" \(symbols are case-sensitive: did you mean 'USDT'\?\)/,
    ],
    ['an unknown token', { tokens: ['EURC'] }, 'INVALID_ARGUMENT', /deploys USDT, USDC, DAI, got "EURC"\.$/],
    ['a token twice', { tokens: ['USDC', 'USDC'] }, 'INVALID_ARGUMENT', /tokens lists USDC twice/],
    ['tokens as a string', { tokens: 'USDT' }, 'INVALID_ARGUMENT', /tokens must be an array/],
    ['automine as a string', { automine: 'no' }, 'INVALID_ARGUMENT', /automine must be true or false/],
    ['an empty anvilPath', { anvilPath: '' }, 'INVALID_ARGUMENT', /anvilPath must be the path of an anvil binary, got an empty string/],
    ['a tiny timeout', { timeoutMs: 5 }, 'INVALID_ARGUMENT', /timeoutMs must be an integer from 100 to 600000/],
    ['a misspelt option', { chainID: 1 }, 'INVALID_ARGUMENT', /startLocalChain has no option "chainID"; did you mean "chainId"\?/],
    ['options that are not an object', 'fast', 'INVALID_ARGUMENT', /startLocalChain options must be an object/],
  ]
  for (const [what, options, code, message] of cases) {
    it(`refuses ${what} (${code}) before starting anything`, async () => {
      const error = await failure(startLocalChain(options as never))
      expect(error.code).toBe(code)
      expect(error.shortMessage).toMatch(message)
    })
  }
})

describe('a missing anvil', () => {
  const saved = process.env.ANVIL_PATH
  const dir = mkdtempSync(join(tmpdir(), 'coffer-anvil-'))
  afterEach(() => {
    if (saved === undefined) delete process.env.ANVIL_PATH
    else process.env.ANVIL_PATH = saved
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('ANVIL_PATH pointing at no file: NotSupportedError naming ANVIL_PATH and the package', async () => {
    process.env.ANVIL_PATH = join(dir, 'no-such-anvil')
    const error = await failure(startLocalChain())
    expect(error.name).toBe('NotSupportedError')
    expect(error.code).toBe('NOT_SUPPORTED')
    expect(error.shortMessage).toBe(
      `ANVIL_PATH points at ${JSON.stringify(join(dir, 'no-such-anvil'))}, which is not an executable file; point it at an anvil binary, or unset it to use the @foundry-rs/anvil-linux-amd64 package.`,
    )
    expect(error.details).toEqual({ ANVIL_PATH: join(dir, 'no-such-anvil') })
  })

  it('anvilPath naming a file that cannot run: the same error, naming the option', async () => {
    const notExecutable = join(dir, 'anvil.txt')
    writeFileSync(notExecutable, 'not a program')
    chmodSync(notExecutable, 0o644)
    const error = await failure(startLocalChain({ anvilPath: notExecutable }))
    expect(error.name).toBe('NotSupportedError')
    expect(error.shortMessage).toMatch(/^anvilPath points at .*anvil\.txt", which is not an executable file/)
  })

  it('an executable that is not anvil: a clear failure to start, no process left behind', async () => {
    const fake = join(dir, 'fake-anvil')
    writeFileSync(fake, '#!/bin/sh\necho "fake anvil: bad flag" >&2\nexit 3\n')
    chmodSync(fake, 0o755)
    const error = await failure(startLocalChain({ anvilPath: fake }))
    expect(error.name).toBe('RpcError')
    expect(error.shortMessage).toMatch(/^anvil exited \(exit code 3\) before it answered on http:\/\/127\.0\.0\.1:\d+\.$/)
    expect(error.details.output).toBe('fake anvil: bad flag')
  })

  it('no ANVIL_PATH and no package where it is looked for: NotSupportedError saying what to install', () => {
    delete process.env.ANVIL_PATH
    const nowhere = pathToFileURL(join(dir, 'package.json')).href
    let error: CofferError | undefined
    try {
      resolveAnvilBinary(undefined, [nowhere])
    } catch (e) {
      error = e as CofferError
    }
    expect(error?.name).toBe('NotSupportedError')
    expect(error?.shortMessage).toMatch(/^anvil was not found: install it with `npm install --save-dev @foundry-rs\/anvil-linux-amd64`/)
    expect(error?.shortMessage).toMatch(/or set ANVIL_PATH to an anvil binary/)
    expect(error?.details).toEqual({ package: '@foundry-rs/anvil-linux-amd64', env: 'ANVIL_PATH' })
  })

  it('ANVIL_PATH comes first: the binary it names is the one started', async () => {
    const marker = join(dir, 'used')
    const wrapper = join(dir, 'anvil-wrapper')
    writeFileSync(wrapper, `#!/bin/sh\ntouch ${JSON.stringify(marker)}\nexec ${JSON.stringify(resolveAnvilBinary(undefined))} "$@"\n`)
    chmodSync(wrapper, 0o755)
    process.env.ANVIL_PATH = wrapper
    const local = await startLocalChain({ tokens: [] })
    await local.stop()
    expect(existsSync(marker)).toBe(true)
  })

  it('finds the package from the project folder or from coffer itself', () => {
    delete process.env.ANVIL_PATH
    expect(resolveAnvilBinary()).toMatch(/node_modules\/@foundry-rs\/anvil-linux-amd64\/bin\/anvil$/)
    expect(anvilPackageName('linux', 'x64')).toBe('@foundry-rs/anvil-linux-amd64')
    expect(anvilPackageName('darwin', 'arm64')).toBe('@foundry-rs/anvil-darwin-arm64')
  })
})

describe('a running chain refuses bad calls', () => {
  let local: LocalChain<'USDT'>
  beforeAll(async () => {
    local = await startLocalChain({ tokens: ['USDT'] })
  })
  afterAll(() => local.stop())

  const BEEF = '0x000000000000000000000000000000000000bEEF'
  const cases: [string, () => Promise<unknown>, string, RegExp][] = [
    [
      'a malformed address',
      () => local.fund('0x1234', { eth: '1' }),
      'INVALID_ADDRESS',
      /fund: address is not a valid EVM address: "0x1234"/,
    ],
    [
      'an address with a wrong checksum',
      () => local.fund('0x000000000000000000000000000000000000bEEf', { eth: '1' }),
      'INVALID_ADDRESS',
      /its EIP-55 checksum is wrong/,
    ],
    [
      'a JS number',
      () => local.fund(BEEF, { USDT: 5 as never }),
      'INVALID_AMOUNT',
      /fund: USDT must be a decimal string in whole units or a bigint of base units, not a number .*: write "5" or 5n for base units/,
    ],
    ['a negative bigint', () => local.fund(BEEF, { eth: -1n }), 'INVALID_AMOUNT', /fund: eth must not be negative/],
    [
      'too many decimals',
      () => local.fund(BEEF, { USDT: '1.0000001' }),
      'INVALID_AMOUNT',
      /fund: USDT: Amount has more than 6 decimal places/,
    ],
    ['an exponent', () => local.fund(BEEF, { eth: '1e18' }), 'INVALID_AMOUNT', /fund: eth: Amount must be a plain decimal number/],
    [
      'a token this chain did not deploy',
      () => local.fund(BEEF, { DAI: '1' } as never),
      'UNKNOWN_ASSET',
      /fund: "DAI" is not an asset of this local chain; it has eth, USDT\.$/,
    ],
    [
      'a lower-case symbol',
      () => local.fund(BEEF, { usdt: '1' } as never),
      'UNKNOWN_ASSET',
      /it has eth, USDT \(case-sensitive: did you mean 'USDT'\?\)/,
    ],
    ['amounts that are not an object', () => local.fund(BEEF, '1' as never), 'INVALID_ARGUMENT', /fund: amounts must be an object/],
    ['mining 0 blocks', () => local.mine(0), 'INVALID_ARGUMENT', /blocks must be an integer from 1 to 1000000, got 0/],
    ['automine as a string', () => local.setAutomine('on' as never), 'INVALID_ARGUMENT', /setAutomine takes true or false/],
    [
      'a snapshot id that is not one',
      () => local.revert('latest'),
      'INVALID_ARGUMENT',
      /revert takes an id from snapshot\(\), got "latest"/,
    ],
  ]
  for (const [what, call, code, message] of cases) {
    it(`refuses ${what} (${code}) and changes nothing`, async () => {
      const saved = await local.snapshot()
      try {
        const error = await failure(call())
        expect(error.code).toBe(code)
        expect(error.shortMessage).toMatch(message)
        const res = await fetch(local.rpcUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_getBalance', params: [BEEF, 'latest'] }),
        })
        expect(((await res.json()) as { result: string }).result).toBe('0x0')
      } finally {
        await local.revert(saved)
      }
    })
  }
})

describe('startLocalBitcoin options', () => {
  const cases: [string, unknown, RegExp][] = [
    ['a misspelt option', { minRelayFee: 1 }, /startLocalBitcoin has no option "minRelayFee"/],
    ['a negative start height', { startHeight: -1 }, /startHeight must be an integer from 0 to 100000/],
    ['a fee rate as a string', { minRelayFeeRate: '1' }, /minRelayFeeRate must be a number of sat\/vB from 0 to 10,000/],
  ]
  for (const [what, options, message] of cases) {
    it(`refuses ${what}`, async () => {
      const error = await failure(startLocalBitcoin(options as never))
      expect(error.code).toBe('INVALID_ARGUMENT')
      expect(error.shortMessage).toMatch(message)
    })
  }
})
