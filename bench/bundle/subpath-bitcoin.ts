// An app on `coffer/bitcoin`: the Bitcoin adapter over Esplora, coin selection and PSBTs.
import { bitcoin, buildPsbt, esplora, finalizePsbt, selectCoins, signPsbt } from 'coffer/bitcoin'

console.log(bitcoin, buildPsbt, esplora, finalizePsbt, selectCoins, signPsbt)
