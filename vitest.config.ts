import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const file = (p: string) => fileURLToPath(new URL(`./${p}`, import.meta.url))
const read = (p: string) => JSON.parse(readFileSync(file(p), 'utf8'))
/** The package's subpaths (`.`, `./keys`, …) and their sources: subpaths.json is the one list (see scripts/subpaths.mjs). */
const SUBPATHS = read('subpaths.json') as Record<string, string>
const NAME = (read('package.json') as { name: string }).name
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')

export default defineConfig({
  resolve: {
    // Tests import the package by name (`coffer`, `coffer/evm`): each resolves to its source.
    alias: Object.entries(SUBPATHS).map(([subpath, source]) => ({
      find: new RegExp(`^${escape(subpath === '.' ? NAME : `${NAME}/${subpath.slice(2)}`)}$`),
      replacement: file(source),
    })),
  },
  test: {
    include: ['test/**/*.test.ts'],
    // One shared anvil + EVM fixtures for all test files: inject('anvil').
    globalSetup: ['./test/support/global-setup.ts'],
    testTimeout: 30_000,
    // vitest's default is cores - 1 workers (one at a time on 2 cores: 18 min here). More
    // workers than that were tried (cores + 1: 13 min) and made time-bound end-to-end tests flaky
    // (a CLI import past its 30 s, a Solana blockhash expiring between CLI steps), so the default
    // stays; COFFER_TEST_WORKERS sets the count on a bigger machine.
    ...(Number(process.env.COFFER_TEST_WORKERS) > 0 ? { maxWorkers: Number(process.env.COFFER_TEST_WORKERS) } : {}),
  },
})
