// mnemonic → validated seed → EVM account key, coffer alone: the part of the signing path coffer owns today.
import { HDNode, mnemonicToSeed } from 'coffer/keys'

const seed = await mnemonicToSeed(String(globalThis.process?.argv?.[2] ?? 'test test test test test test test test test test test junk'))
const node = HDNode.fromSeed(seed).derive("m/44'/60'/0'/0/0")
console.log(node.publicKey, node.exportPrivateKey().length)
