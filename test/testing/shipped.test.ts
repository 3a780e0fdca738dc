/**
 * What coffer/testing ships is what the repository builds and checks: the contract bytecode is
 * the compiled fixture (same bytes as test/fixtures/evm/artifacts.json, source hashes matching
 * the .sol files), and every example reaches local chains only through the package name.
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import * as shipped from '../../src/testing/evm/contracts.js'
import { LOCAL_TOKEN_SYMBOLS } from 'coffer/testing'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const artifacts = JSON.parse(readFileSync(`${ROOT}test/fixtures/evm/artifacts.json`, 'utf8')) as {
  compiler: string
  settings: unknown
  contracts: Record<string, { bytecode: string; deployedBytecode: string }>
}

describe('the shipped contracts', () => {
  it('are the compiled fixtures: same compiler, settings and bytes, and each names the SHA-256 of its source', () => {
    expect(shipped.COMPILER).toBe(`solc ${artifacts.compiler}`)
    expect(shipped.SETTINGS).toEqual(artifacts.settings)
    expect(shipped.multicall3.deployedBytecode).toBe(artifacts.contracts.Multicall3!.deployedBytecode)
    expect(shipped.standardToken.bytecode).toBe(artifacts.contracts.StandardToken!.bytecode)
    expect(shipped.noReturnToken.bytecode).toBe(artifacts.contracts.NoReturnToken!.bytecode)
    for (const contract of [shipped.multicall3, shipped.standardToken, shipped.noReturnToken]) {
      const source = readFileSync(`${ROOT}${contract.source}`)
      expect([contract.source, createHash('sha256').update(source).digest('hex')]).toEqual([contract.source, contract.sourceSha256])
    }
  })

  it('deploy USDT, USDC and DAI look-alikes', () => {
    expect(LOCAL_TOKEN_SYMBOLS).toEqual(['USDT', 'USDC', 'DAI'])
  })
})

describe('the examples', () => {
  const files = readdirSync(`${ROOT}examples`).filter((f) => f.endsWith('.ts'))
  it.each(files)('%s imports packages only (so it runs from an installed coffer too)', (file) => {
    const text = readFileSync(`${ROOT}examples/${file}`, 'utf8')
    const specifiers = [...text.matchAll(/^import [^;]*?from '([^']+)'/gms)].map((m) => m[1]!)
    expect(specifiers.length).toBeGreaterThan(0)
    expect(specifiers.filter((s) => s.startsWith('.') || s.startsWith('/'))).toEqual([])
  })
})
