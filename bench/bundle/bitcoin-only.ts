// A Bitcoin-only app: vault account signer + Bitcoin adapter. Must not carry viem.
import { bitcoin } from 'coffer/bitcoin'
import { memoryStorage, Vault } from 'coffer/vault'

const vault = await Vault.create({ storage: memoryStorage(), password: 'pw' })
const { id } = await vault.addMnemonic()
const account = await vault.getAccountSigner({ secretId: id, chain: 'bitcoin' })
const btc = bitcoin({ network: 'mainnet', esploraUrl: 'https://blockstream.info/api' })
console.log(await btc.getBalances({ addresses: [account.descriptor] }), 'bc1')
