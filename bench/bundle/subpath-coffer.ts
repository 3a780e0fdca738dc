// An app on the root `coffer` entry: the Wallet with browser storage, amounts and a payment QR code (no chain adapter).
import { Wallet, browserStorage, formatAmount, parseAmount, paymentQr } from 'coffer'

console.log(Wallet, browserStorage, formatAmount, parseAmount, paymentQr)
