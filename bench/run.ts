/**
 * `npm run bench`: every benchmark in one run, printed as Markdown tables; `npm run bench -- watch`
 * (names: derive seed vault evm-balances portfolio evm-signing solana tron bundle watch) runs only
 * those named. With `--readme` (`npm run bench -- --readme`) the tables also replace the README's
 * "Performance" blocks: `bench` (every benchmark but watch) and `bench-watch`, each only when
 * all of its benchmarks ran. Absolute numbers drift between machines; compare ratios measured
 * in the same run. Baselines for this kind of machine: ../shared/BASELINES.md.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { benchBundle } from './bundle.js'
import { benchDerive } from './derive.js'
import { benchSeed } from './seed.js'
import { benchEvmBalances } from './evm-balances.js'
import { benchEvmSigning } from './evm-signing.js'
import { benchPortfolio } from './portfolio.js'
import { benchSolana } from './solana.js'
import { benchTron } from './tron.js'
import { benchVault } from './vault.js'
import { benchWatch } from './watch.js'

/** Every benchmark: its name on the command line, its function, and the README block its tables go to. */
const benches: [name: string, run: () => Promise<string[]>, block: string][] = [
  ['derive', benchDerive, 'bench'],
  ['seed', benchSeed, 'bench'],
  ['vault', benchVault, 'bench'],
  ['evm-balances', benchEvmBalances, 'bench'],
  ['portfolio', benchPortfolio, 'bench'],
  ['evm-signing', benchEvmSigning, 'bench'],
  ['solana', benchSolana, 'bench'],
  ['tron', benchTron, 'bench'],
  ['bundle', benchBundle, 'bench'],
  ['watch', benchWatch, 'bench-watch'], // last: it is slow
]
const names = process.argv.slice(2).filter((a) => !a.startsWith('-'))
const unknown = names.filter((n) => !benches.some(([name]) => name === n))
if (unknown.length > 0) throw new Error(`Unknown benchmark ${unknown.join(', ')}; there are ${benches.map(([n]) => n).join(', ')}.`)
const selected = names.length === 0 ? benches : benches.filter(([name]) => names.includes(name))

const header = `Node ${process.version}, ${availableParallelism()} cores, ${new Date().toISOString().slice(0, 10)}.`
console.log(`coffer bench — ${header}\n`)
const tables = new Map<string, string[]>()
for (const [, run, block] of selected) tables.set(block, [...(tables.get(block) ?? []), ...(await run())])

if (process.argv.includes('--readme')) {
  const readme = new URL('../README.md', import.meta.url)
  let text = readFileSync(readme, 'utf8')
  for (const [block, list] of tables) {
    // A block is rewritten only from a run of every benchmark it holds (a partial run would drop tables).
    const missing = benches.filter(([name, , b]) => b === block && !selected.some(([n]) => n === name)).map(([n]) => n)
    if (missing.length > 0) {
      console.log(`README.md block ${block} left as it was: ${missing.join(', ')} did not run.`)
      continue
    }
    const pattern = new RegExp(`<!-- ${block}:start -->[\\s\\S]*<!-- ${block}:end -->`)
    if (!pattern.test(text)) throw new Error(`README.md has no <!-- ${block}:start --> … <!-- ${block}:end --> block.`)
    const body = `<!-- ${block}:start -->\n_${header}_\n\n${list.map((t) => t.replace(/^### /, '#### ')).join('\n\n')}\n<!-- ${block}:end -->`
    text = text.replace(pattern, () => body)
    console.log(`README.md performance block ${block} updated.`)
  }
  writeFileSync(readme, text)
}
