/**
 * The error table: every CofferError subclass has a literal name equal to its class name and
 * its own stable code, so `error.code` (which survives across ESM and CJS copies) tells them apart.
 * The classes are generated from one table (COFFER_ERRORS); docs/errors.md has one section per code.
 */
import { readFileSync } from 'node:fs'
import { inspect } from 'node:util'
import { describe, expect, expectTypeOf, it } from 'vitest'
import * as errors from '../../src/core/errors.js'
import * as coffer from 'coffer'

const { CofferError, BroadcastUnknownError, COFFER_ERRORS } = errors
type Ctor = new (message: string, ...rest: never[]) => errors.CofferError

const classes = Object.entries(errors as Record<string, unknown>).filter(
  (entry): entry is [string, Ctor] =>
    typeof entry[1] === 'function' && (entry[1] as { prototype: unknown }).prototype instanceof CofferError,
)

const TX = { chainId: 'eip155:1', kind: 'evm-eip1559', from: '0x01', hash: '0xab', raw: '0x02' } as const

function make(name: string, Class: Ctor, options?: errors.CofferErrorOptions): errors.CofferError {
  if (Class === (BroadcastUnknownError as unknown as Ctor)) return new BroadcastUnknownError('lost', TX, options)
  return new (Class as new (message: string, options?: errors.CofferErrorOptions) => errors.CofferError)(`${name} message`, options)
}

/** The `## CODE` headings of docs/errors.md, in order. */
const docHeadings = [...readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8').matchAll(/^## (.+)$/gm)].map((m) =>
  m[1]!.trim(),
)
const docText = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8')
/** GitHub's anchor for a heading: lower case, spaces to dashes, punctuation other than - and _ dropped. */
const anchor = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\w\- ]/g, '')
    .replace(/ /g, '-')

describe('error table', () => {
  it('every subclass has its class name, a stable code of its own, and is exported from coffer', () => {
    expect(classes.length).toBeGreaterThan(30)
    const codes = new Map<string, string>()
    for (const [name, Class] of classes) {
      const error = make(name, Class)
      expect(error).toBeInstanceOf(CofferError)
      expect(error).toBeInstanceOf(Error)
      expect(error).toBeInstanceOf(Class)
      expect(error.name).toBe(name)
      expect(error.constructor).toBe(Class)
      expect(error.constructor.name).toBe(name)
      expect(error.code).toMatch(/^[A-Z][A-Z0-9_]*$/)
      expect(codes.get(error.code), `${name} shares ${error.code} with ${codes.get(error.code)}`).toBeUndefined()
      codes.set(error.code, name)
      expect((coffer as Record<string, unknown>)[name]).toBe(Class)
    }
  })

  it('the table and the exported classes are the same set: every row is an exported class with its code, docsPath and default message', () => {
    const rows = Object.entries(COFFER_ERRORS)
    expect(rows.map(([name]) => name).sort()).toEqual(classes.map(([name]) => name).sort())
    expect(new Set(rows.map(([, row]) => row.code)).size).toBe(rows.length)
    for (const [name, row] of rows) {
      const Class = (errors as Record<string, unknown>)[name] as Ctor
      expect(typeof Class, name).toBe('function')
      expect(Class.name).toBe(name)
      const error = make(name, Class)
      expect(error).toMatchObject({ name, code: row.code, docsPath: row.docsPath })
      expect(row.docsPath).toBe(`/docs/errors.md#${row.code.toLowerCase()}`)
      if (row.message !== undefined) {
        const plain = new (Class as unknown as new () => errors.CofferError)()
        expect(plain.shortMessage, name).toBe(row.message)
        expect(plain.message, name).toBe(row.message)
      }
    }
    expect(Object.isFrozen(COFFER_ERRORS)).toBe(true)
  })

  it('docs/errors.md has one section per code, in the table order, and every docsPath points at an existing heading', () => {
    const codes = Object.values(COFFER_ERRORS).map((row) => row.code)
    expect(docHeadings).toEqual(codes)
    const anchors = new Set(docHeadings.map(anchor))
    for (const [name, row] of Object.entries(COFFER_ERRORS)) {
      const [path, hash] = row.docsPath.split('#')
      expect(path).toBe('/docs/errors.md')
      expect(anchors.has(hash!), `${name}: ${row.docsPath}`).toBe(true)
      // The section names its class and says what to do.
      const section = docText.slice(docText.indexOf(`## ${row.code}\n`)).split(/\n## /)[0]!
      expect(section, row.code).toContain(`\`${name}\``)
      expect(section, row.code).toContain('What to do')
    }
    expect(new CofferError('STORAGE', 'base').docsPath).toBe('/docs/errors.md#storage')
  })

  it('VaultExistsError: VAULT_EXISTS, with a message that says what to do', () => {
    const error = new errors.VaultExistsError()
    expect(error).toMatchObject({ name: 'VaultExistsError', code: 'VAULT_EXISTS', docsPath: '/docs/errors.md#vault_exists' })
    expect(error.shortMessage).toBe('This storage already holds a vault; open it with Vault.open, or choose another storage.')
    expect(new errors.VaultExistsError('Wallet.create: this storage already holds a wallet.').code).toBe('VAULT_EXISTS')
    expect(new errors.VaultExistsError('').shortMessage).toBe('')
  })

  it('prints like a hand-written class: stack header, String(), util.inspect, the class itself', () => {
    const error = new errors.FeeTooHighError('Too high.', { details: { rate: 5n, ceiling: 1n }, cause: new Error('inner') })
    expect(error.message).toBe('Too high.\n\nDetails:\n  rate: 5n\n  ceiling: 1n')
    expect(String(error)).toBe(`FeeTooHighError: ${error.message}`)
    expect(error.stack!.startsWith(`FeeTooHighError: Too high.`)).toBe(true)
    expect(error.stack).toMatch(/\n\s+at /)
    expect(error.stack).not.toMatch(/defineError|ErrorClass/)
    const shown = inspect(error)
    expect(shown.startsWith('FeeTooHighError: Too high.')).toBe(true)
    expect(shown).toContain("code: 'FEE_TOO_HIGH'")
    expect(shown).toContain("docsPath: '/docs/errors.md#fee_too_high'")
    expect(shown).toContain('[cause]: Error: inner')
    expect(inspect(errors.FeeTooHighError)).toBe('[class FeeTooHighError extends CofferError]')
    expect(inspect(errors.BroadcastUnknownError)).toBe('[class BroadcastUnknownError extends CofferError]')
    expect(Object.keys(error)).toEqual(['name', 'code', 'shortMessage', 'details', 'docsPath'])
    expect(JSON.parse(JSON.stringify(new errors.KeyWipedError()))).toEqual({
      name: 'KeyWipedError',
      code: 'KEY_WIPED',
      shortMessage: 'This key has been wiped and can no longer be used.',
      details: {},
      docsPath: '/docs/errors.md#key_wiped',
    })
    expect(Object.isFrozen(error.details)).toBe(true)
  })

  it('instances print no secret: only the message and the public details, whatever else the options carried', () => {
    const printed = (error: errors.CofferError) =>
      [
        error.message,
        String(error),
        JSON.stringify(error, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)),
        inspect(error, { depth: 5 }),
        String(error.stack),
      ].join('\n')
    for (const [name, Class] of classes) {
      // Anything beside details and cause (here a stray secret) is not copied onto the error.
      const options = {
        details: { position: 4 },
        cause: new Error('cause without secrets'),
        mnemonic: 'abandon zzsecretzz about',
      } as errors.CofferErrorOptions
      const error = make(name, Class, options)
      expect(printed(error), name).not.toMatch(/zzsecretzz|abandon/)
      expect(error.message, name).toContain('position: 4')
      // details hold primitives only, frozen: no object (a key, a buffer) can ride along.
      expect(Object.isFrozen(error.details), name).toBe(true)
      for (const value of Object.values(error.details))
        expect(value === null || ['string', 'number', 'boolean', 'bigint', 'undefined'].includes(typeof value), name).toBe(true)
    }
  })

  it('errors raised from secret input name positions and lengths, never the secret', async () => {
    const { mnemonicToEntropy } = await import('../../src/keys/mnemonic.js')
    const { parsePrivateKey } = await import('../../src/vault/private-key.js')
    const phrase = 'abandon abandon abandon zzsecretzz abandon abandon abandon abandon abandon abandon abandon about'
    const mnemonic = (() => {
      try {
        mnemonicToEntropy(phrase)
      } catch (error) {
        return error as errors.InvalidMnemonicError
      }
      throw new Error('expected InvalidMnemonicError')
    })()
    expect(mnemonic).toBeInstanceOf(errors.InvalidMnemonicError)
    expect(mnemonic.details).toMatchObject({ reason: 'unknown-word', position: 4 })
    expect([mnemonic.message, inspect(mnemonic), JSON.stringify(mnemonic), String(mnemonic.stack)].join('\n')).not.toMatch(
      /zzsecretzz|abandon|about/,
    )

    const keyHex = 'ab'.repeat(30) + 'cd' // 31 bytes: the wrong length, still secret
    const key = (() => {
      try {
        parsePrivateKey(keyHex, 'secp256k1')
      } catch (error) {
        return error as errors.InvalidPrivateKeyError
      }
      throw new Error('expected InvalidPrivateKeyError')
    })()
    expect(key).toBeInstanceOf(errors.InvalidPrivateKeyError)
    expect([key.message, inspect(key), JSON.stringify(key), String(key.stack)].join('\n')).not.toContain('abababab')
  })

  it('BroadcastUnknownError keeps its own constructor: transaction, hash and chainId in details', () => {
    const error = new BroadcastUnknownError('Lost.', TX, { details: { nonce: 3 } })
    expect(error.transaction).toEqual(TX)
    expect(Object.isFrozen(error.transaction)).toBe(true)
    expect(error.details).toEqual({ hash: '0xab', chainId: 'eip155:1', nonce: 3 })
    expect(error).toMatchObject({ name: 'BroadcastUnknownError', code: 'BROADCAST_UNKNOWN', docsPath: '/docs/errors.md#broadcast_unknown' })
  })

  it('types: literal name, code and docsPath; details typed per class; the message optional only where a default exists', () => {
    const lost = new BroadcastUnknownError('Lost.', TX, { details: { attempts: 2 } })
    expectTypeOf(lost.details.hash).toEqualTypeOf<string>()
    expectTypeOf(lost.name).toEqualTypeOf<'BroadcastUnknownError'>()
    expectTypeOf(lost.code).toEqualTypeOf<'BROADCAST_UNKNOWN'>()

    const fee = new errors.FeeTooHighError('x', { details: { rate: 2n, ceiling: 1n } })
    expectTypeOf(fee.details.rate).toEqualTypeOf<bigint | undefined>()
    expectTypeOf(fee.name).toEqualTypeOf<'FeeTooHighError'>()
    expectTypeOf(fee.code).toEqualTypeOf<'FEE_TOO_HIGH'>()
    expectTypeOf(fee.docsPath).toEqualTypeOf<'/docs/errors.md#fee_too_high'>()
    // @ts-expect-error: a fee rate is a bigint
    void new errors.FeeTooHighError('x', { details: { rate: 2 } })
    // @ts-expect-error: FeeTooHighError has no such detail
    void new errors.FeeTooHighError('x', { details: { ratee: 2n } })
    // @ts-expect-error: details hold primitives only
    void new errors.InvalidArgumentError('x', { details: { key: new Uint8Array(32) } })
    // Open records accept any public fact.
    expectTypeOf(
      new errors.InvalidArgumentError('x', { details: { anything: 1 } }).details.anything,
    ).toEqualTypeOf<errors.ErrorDetailValue>()
    expectTypeOf(new errors.PolicyViolationError('x', { details: { rule: 'allow', extra: 'y' } }).details.rule).toEqualTypeOf<
      string | undefined
    >()

    void new errors.VaultLockedError()
    // @ts-expect-error: InvalidArgumentError has no default message
    void new errors.InvalidArgumentError()

    expectTypeOf<errors.CofferErrorCode>().toEqualTypeOf<(typeof COFFER_ERRORS)[errors.CofferErrorName]['code']>()
    expectTypeOf<'VAULT_EXISTS'>().toMatchTypeOf<errors.CofferErrorCode>()
    expectTypeOf<errors.DetailsOf<'DeadlineExceededError'>['deadlineMs']>().toEqualTypeOf<number | undefined>()

    const caught: unknown = fee
    if (caught instanceof errors.FeeTooHighError) expectTypeOf(caught.details.ceiling).toEqualTypeOf<bigint | undefined>()
    if (caught instanceof CofferError) {
      switch (caught.code) {
        case 'FEE_TOO_HIGH':
          expectTypeOf(caught.code).toEqualTypeOf<'FEE_TOO_HIGH'>()
          break
        default:
          expectTypeOf(caught.code).not.toEqualTypeOf<'FEE_TOO_HIGH'>()
      }
    }
    expect(caught).toBeInstanceOf(errors.FeeTooHighError)
  })
})
