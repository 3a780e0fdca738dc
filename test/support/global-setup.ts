// Vitest global setup: one anvil (chain id 31337, automine on) with the EVM
// fixtures deployed, shared by every test file. Tests read it with
// `inject('anvil')` (type in test/support/env.d.ts). Tests that need automine
// off, another chain id or a state nobody else touches start their own with
// startAnvil() from ./anvil.js.
import type { TestProject } from 'vitest/node'
import { deployFixtures, startAnvil } from './anvil.js'

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const anvil = await startAnvil({ chainId: 31337, automine: true })
  try {
    const { abis: _abis, ...fixtures } = await deployFixtures(anvil.url)
    project.provide('anvil', { url: anvil.url, port: anvil.port, chainId: anvil.chainId, fixtures })
  } catch (error) {
    await anvil.stop()
    throw error
  }
  return () => anvil.stop()
}
