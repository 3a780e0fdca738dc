import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const src = (p: string) => fileURLToPath(new URL(`./src/${p}`, import.meta.url))

export default defineConfig({
  resolve: {
    alias: [
      { find: /^coffer$/, replacement: src('index.ts') },
      { find: /^coffer\/keys$/, replacement: src('keys/index.ts') },
      { find: /^coffer\/vault$/, replacement: src('vault/index.ts') },
      { find: /^coffer\/evm$/, replacement: src('chains/evm/index.ts') },
      { find: /^coffer\/bitcoin$/, replacement: src('chains/bitcoin/index.ts') },
      { find: /^coffer\/portfolio$/, replacement: src('portfolio/index.ts') },
      { find: /^coffer\/testing$/, replacement: src('testing/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // One shared anvil + EVM fixtures for all test files: inject('anvil').
    globalSetup: ['./test/support/global-setup.ts'],
    testTimeout: 30_000,
  },
})
