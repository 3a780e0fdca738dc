/**
 * The error table: every CofferError subclass has a literal name equal to its class name and
 * its own stable code, so `error.code` (which survives across ESM and CJS copies) tells them apart.
 */
import { describe, expect, it } from 'vitest'
import * as errors from '../../src/core/errors.js'
import * as coffer from 'coffer'

const { CofferError, BroadcastUnknownError } = errors
type Ctor = new (message: string, ...rest: never[]) => errors.CofferError

const classes = Object.entries(errors as Record<string, unknown>).filter(
  (entry): entry is [string, Ctor] => typeof entry[1] === 'function' && (entry[1] as { prototype: unknown }).prototype instanceof CofferError,
)

function make(name: string, Class: Ctor): errors.CofferError {
  if (Class === (BroadcastUnknownError as unknown as Ctor)) {
    return new BroadcastUnknownError('lost', { chainId: 'eip155:1', kind: 'evm-eip1559', from: '0x01', hash: '0xab', raw: '0x02' })
  }
  return new Class(`${name} message`)
}

describe('error table', () => {
  it('every subclass has its class name, a stable code of its own, and is exported from coffer', () => {
    expect(classes.length).toBeGreaterThan(30)
    const codes = new Map<string, string>()
    for (const [name, Class] of classes) {
      const error = make(name, Class)
      expect(error).toBeInstanceOf(CofferError)
      expect(error).toBeInstanceOf(Error)
      expect(error.name).toBe(name)
      expect(error.code).toMatch(/^[A-Z][A-Z0-9_]*$/)
      expect(codes.get(error.code), `${name} shares ${error.code} with ${codes.get(error.code)}`).toBeUndefined()
      codes.set(error.code, name)
      expect((coffer as Record<string, unknown>)[name]).toBe(Class)
    }
  })

  it('VaultExistsError: VAULT_EXISTS, with a message that says what to do', () => {
    const error = new errors.VaultExistsError()
    expect(error).toMatchObject({ name: 'VaultExistsError', code: 'VAULT_EXISTS' })
    expect(error.shortMessage).toBe('This storage already holds a vault; open it with Vault.open, or choose another storage.')
    expect(new errors.VaultExistsError('Wallet.create: this storage already holds a wallet.').code).toBe('VAULT_EXISTS')
  })
})
