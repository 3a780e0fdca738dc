/** The TRON adapter against the ChainAdapter conformance suite (test/chains/contract.ts), tronweb checking every signature. */
import { expect, it } from 'vitest'
import { describeChainAdapter } from '../contract.js'
import { tronHarness } from './harness.js'

describeChainAdapter(tronHarness)

it('tronweb read every transaction the adapters signed (a failed check fails the case that signed it)', () => {
  expect(tronHarness.signed.length).toBeGreaterThan(5)
  for (const reading of tronHarness.signed) expect(reading).toMatchObject({ type: 'TransferContract', feeLimit: 0n })
})
