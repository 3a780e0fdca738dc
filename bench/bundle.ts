/** Bundle sizes (esbuild, minified, gzip): the signing paths beside viem, and one app per subpath; one file and code-split. */
import { bundle, splitBundle } from './bundle/size.js'

const kib = (bytes: number) => (bytes / 1024).toFixed(1)

export async function benchBundle(): Promise<string[]> {
  const rows: [string, string][] = [
    ['**coffer** `mnemonicToSeed` (validated phrase, English wordlist) + `evmSigner` + `signEvmTransaction` (no viem code)', 'coffer-sign'],
    ['**coffer** vault (memory) + `getSigner` + `signEvmTransaction` (the full coffer path)', 'coffer-vault-sign'],
    ['viem `mnemonicToAccount` + `signTransaction` (phrase not validated, no wordlist)', 'viem-sign'],
    ['viem + `english` from `viem/accounts` (pulls every wordlist)', 'viem-english-sign'],
    ['**coffer** `mnemonicToSeed` + `deriveAccount` on EVM, Bitcoin, Solana, Tron (no viem)', 'coffer-addresses'],
    // One app per subpath, importing its main entry points (bench/bundle/subpath-*.ts); budgets in test/bundle-budgets.test.ts.
    ['`coffer`: `Wallet`, `browserStorage`, amounts, `paymentQr` (no chain adapter)', 'subpath-coffer'],
    ['`coffer/keys`: phrases, seeds, `HDNode`, `deriveAccount(s)`, addresses, descriptors', 'subpath-keys'],
    ['`coffer/vault`: `Vault`, `browserStorage`, `memoryStorage`, keystore import/export', 'subpath-vault'],
    ['`coffer/evm`: `evm` adapter, transaction / message / typed-data signing', 'subpath-evm'],
    ['`coffer/bitcoin`: `bitcoin` adapter, `esplora`, coin selection, PSBTs', 'subpath-bitcoin'],
    ['`coffer/solana`: `solana` adapter, `solanaRpc`, token accounts, kit signer', 'subpath-solana'],
    ['`coffer/tron`: `tron` adapter, `tronClient`, tokens, message digest', 'subpath-tron'],
    ['`coffer/portfolio`: `Portfolio`, `httpPrices`, history CSV (no chain adapter)', 'subpath-portfolio'],
    ['`coffer/watch`: `DepositWatcher`, `DepositStore`, SQL clients (the database client is the app’s)', 'subpath-watch'],
  ]
  const lines = [
    '### Bundle: esbuild, minified, browser ESM',
    '',
    'One file (everything the app can reach, lazy code included), and code-split as apps ship: what loads at start (each chunk gzipped alone); coffer loads keystores, MetaMask import, scrypt’s worker, the AES fallback and the non-EVM signers with `import()` when first used.',
    '',
    '| what | KiB | KiB gzip, one file | KiB gzip, code-split: at start |',
    '|---|---:|---:|---:|',
  ]
  for (const [label, name] of rows) {
    const { bytes, gzip } = await bundle(name)
    const { initial } = await splitBundle(name)
    lines.push(`| ${label} | ${kib(bytes)} | ${kib(gzip)} | ${kib(initial.gzip)} |`)
  }
  const text = lines.join('\n')
  console.log(`${text}\n`)
  return [text]
}
