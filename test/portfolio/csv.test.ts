import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { InvalidArgumentError } from '../../src/core/errors.js'
import type { AssetId, ChainId } from '../../src/core/caip.js'
import { formatCsv, parseCsv, protectFormula, unprotectFormula } from '../../src/portfolio/csv.js'
import { type CsvHistoryItem, HISTORY_CSV_COLUMNS, historyToCsv, parseHistoryCsv } from '../../src/portfolio/history-csv.js'

const RUNS = { numRuns: 200 }

/** Expects `fn` to throw an InvalidArgumentError whose message matches `message`; returns it. */
function expectInvalid(fn: () => unknown, message: RegExp): InvalidArgumentError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError)
    expect((error as Error).message).toMatch(message)
    return error as InvalidArgumentError
  }
  throw new Error('expected an InvalidArgumentError')
}

/** Strings rich in CSV- and spreadsheet-significant characters, plus arbitrary Unicode. */
const tricky = fc.oneof(
  fc.string({ unit: fc.constantFrom(',', '"', '\r', '\n', '\r\n', ' ', '\t', '=', '+', '-', '@', "'", 'a', '😀', '\uFEFF'), maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
)

describe('formatCsv', () => {
  it.each([
    [
      [
        ['aaa', 'bbb', 'ccc'],
        ['zzz', 'yyy', 'xxx'],
      ],
      'aaa,bbb,ccc\r\nzzz,yyy,xxx\r\n',
    ],
    [[['a,b', 'c']], '"a,b",c\r\n'],
    [[['say "hi"']], '"say ""hi"""\r\n'],
    [[['two\r\nlines', 'lf\nonly', 'cr\ronly']], '"two\r\nlines","lf\nonly","cr\ronly"\r\n'],
    [[[' lead', 'trail ', '\ttab', 'in side']], '" lead","trail ","\ttab",in side\r\n'],
    [
      [
        ['', ''],
        ['', 'x'],
      ],
      ',\r\n,x\r\n',
    ],
    [[[''], ['a']], '""\r\na\r\n'], // one empty field is written "" so it is not a blank line
    [[['\uFEFFbom']], '"\uFEFFbom"\r\n'], // would otherwise be read as a byte-order mark
    [[['=1+1', '-1.5', "'x"]], "=1+1,-1.5,'x\r\n"], // no formula protection by default
    [[], ''],
  ])('writes %j', (rows, expected) => {
    expect(formatCsv(rows)).toBe(expected)
    expect(parseCsv(expected)).toEqual(rows)
  })

  it('protects formulas only when asked', () => {
    const row = ['=SUM(A1)', '+1', '-1.5', '@cmd', '\tx', '\rx', "'quoted", 'plain', '', 'a=b']
    expect(formatCsv([row], { protectFormulas: true })).toBe(`'=SUM(A1),'+1,'-1.5,'@cmd,'\tx,"'\rx",''quoted,plain,,a=b\r\n`)
    expect(parseCsv(formatCsv([row], { protectFormulas: true }), { unprotectFormulas: true })).toEqual([row])
  })

  it('rejects ragged, empty and non-string rows', () => {
    expectInvalid(() => formatCsv([['a', 'b'], ['c']]), /rows\[1\] has 1 fields, but rows\[0\] has 2/)
    expectInvalid(() => formatCsv([[]]), /rows\[0\] must be a non-empty array/)
    expectInvalid(() => formatCsv([['a', 1 as never]]), /rows\[0\]\[1\] must be a string, got number/)
    expectInvalid(() => formatCsv('a,b' as never), /rows must be an array/)
  })
})

describe('protectFormula', () => {
  it.each([
    ['=1', "'=1"],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@x', "'@x"],
    ['\t', "'\t"],
    ['\r', "'\r"],
    ["'", "''"],
    ['', ''],
    ['0x12', '0x12'],
    [' =1', ' =1'],
  ])('%j → %j', (field, expected) => {
    expect(protectFormula(field)).toBe(expected)
    expect(unprotectFormula(expected)).toBe(field)
  })

  it('leaves text alone that it would not have produced', () => {
    expect(unprotectFormula("'abc")).toBe("'abc")
    expect(unprotectFormula('abc')).toBe('abc')
  })

  it('is undone exactly by unprotectFormula', () => {
    fc.assert(
      fc.property(tricky, (s) => {
        const p = protectFormula(s)
        expect(unprotectFormula(p)).toBe(s)
        expect('=+-@\t\r').not.toContain(p.charAt(0) || 'ok')
      }),
      RUNS,
    )
  })
})

describe('parseCsv', () => {
  it.each([
    [
      'aaa,bbb,ccc\r\nzzz,yyy,xxx\r\n',
      [
        ['aaa', 'bbb', 'ccc'],
        ['zzz', 'yyy', 'xxx'],
      ],
    ],
    [
      'aaa,bbb,ccc\r\nzzz,yyy,xxx',
      [
        ['aaa', 'bbb', 'ccc'],
        ['zzz', 'yyy', 'xxx'],
      ],
    ], // final line break optional
    [
      'aaa,bbb,ccc\nzzz,yyy,xxx\n',
      [
        ['aaa', 'bbb', 'ccc'],
        ['zzz', 'yyy', 'xxx'],
      ],
    ], // LF
    [
      'a,b\r\nc,d\ne,f',
      [
        ['a', 'b'],
        ['c', 'd'],
        ['e', 'f'],
      ],
    ], // mixed
    ['"aaa","bbb","ccc"\r\n', [['aaa', 'bbb', 'ccc']]],
    [
      '"aaa","b\r\nbb","ccc"\r\nzzz,yyy,xxx',
      [
        ['aaa', 'b\r\nbb', 'ccc'],
        ['zzz', 'yyy', 'xxx'],
      ],
    ],
    ['"aaa","b""bb","ccc"', [['aaa', 'b"bb', 'ccc']]],
    ['"a,b",""\r\n', [['a,b', '']]],
    [
      ',,\r\n,,',
      [
        ['', '', ''],
        ['', '', ''],
      ],
    ],
    ['a,', [['a', '']]],
    ['a,\r\n', [['a', '']]],
    [' a , b ', [[' a ', ' b ']]], // spaces are data
    ['\uFEFFa,b\r\n', [['a', 'b']]], // byte-order mark skipped
    ['""', [['']]],
    ['\r\n', [['']]], // a blank line is a record of one empty field
    ['a\r\n\r\nb\r\n', [['a'], [''], ['b']]],
    ['', []],
    ['"x\ry"', [['x\ry']]],
  ])('parses %j', (text, expected) => {
    expect(parseCsv(text)).toEqual(expected)
  })

  it.each([
    ['a,b"c\r\n', /^CSV line 1: a quote \(\"\) inside an unquoted field: "b\\"";/],
    ['x\r\na,"b"c\r\n', /^CSV line 2: text after a closing quote: "c\\r\\n"/],
    ['x\r\n"a\r\nb', /^CSV line 2: a quoted field is never closed/],
    ['"a\nb\nc",x\ny,"z', /^CSV line 4: a quoted field is never closed/],
    ['a\rb', /^CSV line 1: a carriage return \(CR\) not followed by a line feed/],
    ['"a"\rb', /^CSV line 1: a carriage return/],
    ['a,b\r\nc\r\n', /^CSV line 2: 1 field, expected 2\./],
    ['a,b\r\n"x\ny",c\r\nd,e,f', /^CSV line 4: 3 fields, expected 2\./],
    ['a,b\r\n\r\n', /^CSV line 2: 1 field, expected 2\./], // a second final line break is a blank record
  ])('rejects %j', (text, message) => {
    const error = expectInvalid(() => parseCsv(text), message)
    expect(error.details.line).toBeTypeOf('number')
  })

  it('checks expectColumns, the header included', () => {
    expectInvalid(() => parseCsv('a,b\r\nc,d\r\n', { expectColumns: 3 }), /^CSV line 1: 2 fields, expected 3\./)
    expect(parseCsv('a,b\r\nc,d\r\n', { expectColumns: 2 })).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ])
    expectInvalid(() => parseCsv('a', { expectColumns: 0 }), /expectColumns must be an integer/)
    expectInvalid(() => parseCsv(42 as never), /CSV text must be a string/)
  })

  it('quotes at most 40 characters of input in its messages', () => {
    const long = 'x'.repeat(500)
    for (const text of [`${long}"${long}`, `"a"${long}`, `"${long}`]) {
      const error = expectInvalid(() => parseCsv(text), /^CSV line 1/)
      expect(error.message).not.toContain('x'.repeat(41))
    }
  })

  it('round-trips any table through formatCsv', () => {
    const table = fc
      .integer({ min: 1, max: 5 })
      .chain((width) => fc.array(fc.array(tricky, { minLength: width, maxLength: width }), { maxLength: 6 }))
    fc.assert(
      fc.property(table, fc.boolean(), (rows, protect) => {
        const text = formatCsv(rows, { protectFormulas: protect })
        expect(text === '' || text.endsWith('\r\n')).toBe(true)
        expect(parseCsv(text, { unprotectFormulas: protect })).toEqual(rows)
        if (rows.length > 0) expect(parseCsv(text, { expectColumns: rows[0]!.length, unprotectFormulas: protect })).toEqual(rows)
      }),
      RUNS,
    )
  })
})

const ETH: AssetId = 'eip155:1/slip44:60'
const TRON: ChainId = 'tron:0x2b6653dc'
const USDT_TRON: AssetId = 'tron:0x2b6653dc/trc20:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t'
const BTC_CHAIN: ChainId = 'bip122:000000000019d6689c085ae165831e93'
const BTC: AssetId = 'bip122:000000000019d6689c085ae165831e93/slip44:0'

const GOLDEN_ITEMS: CsvHistoryItem[] = [
  {
    chainId: 'eip155:1',
    hash: '0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060',
    asset: ETH,
    direction: 'out',
    from: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
    to: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
    amount: 1_500_000_000_000_000_000n,
    blockHeight: 19_000_000,
    timestamp: 1_700_000_000_000,
    fee: { asset: ETH, amount: 21_000_000_000_000n },
    state: 'confirmed',
    decimals: 18,
    symbol: 'ETH',
    feeDecimals: 18,
    feeSymbol: 'ETH',
  },
  {
    // An airdropped spam token whose symbol is a spreadsheet formula.
    chainId: TRON,
    hash: 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90',
    asset: USDT_TRON,
    direction: 'in',
    from: 'TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7',
    to: 'TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL',
    amount: 250_000_000n,
    state: 'pending',
    decimals: 6,
    symbol: '=HYPERLINK("http://x.example","USDT, claim")',
    unverified: true,
  },
  {
    chainId: BTC_CHAIN,
    hash: 'f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16',
    asset: BTC,
    direction: 'self',
    from: 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4',
    to: 'bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3',
    amount: 12_345n,
    timestamp: 0,
    fee: { asset: BTC, amount: 141n },
    state: 'dropped',
    decimals: 8,
    symbol: 'BTC',
    feeDecimals: 8,
  },
]

const GOLDEN_CSV =
  'date,chain,asset,symbol,direction,amount,decimals,fee,fee_asset,fee_symbol,fee_decimals,counterparty,from,to,hash,block,state,unverified\r\n' +
  '2023-11-14T22:13:20.000Z,eip155:1,eip155:1/slip44:60,ETH,out,1.5,18,0.000021,eip155:1/slip44:60,ETH,18,' +
  '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC,0x70997970C51812dc3A010C7d01b50e0d17dc79C8,0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC,' +
  '0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060,19000000,confirmed,\r\n' +
  ',tron:0x2b6653dc,tron:0x2b6653dc/trc20:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t,"\'=HYPERLINK(""http://x.example"",""USDT, claim"")",in,250,6,,,,,' +
  'TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7,TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7,TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL,' +
  'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90,,pending,true\r\n' +
  '1970-01-01T00:00:00.000Z,bip122:000000000019d6689c085ae165831e93,bip122:000000000019d6689c085ae165831e93/slip44:0,BTC,self,0.00012345,8,' +
  '0.00000141,bip122:000000000019d6689c085ae165831e93/slip44:0,,8,' +
  'bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3,bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4,bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3,' +
  'f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16,,dropped,\r\n'

/** The same items as exported before the `unverified` column (17 columns). */
const LEGACY_CSV =
  'date,chain,asset,symbol,direction,amount,decimals,fee,fee_asset,fee_symbol,fee_decimals,counterparty,from,to,hash,block,state\r\n' +
  '2023-11-14T22:13:20.000Z,eip155:1,eip155:1/slip44:60,ETH,out,1.5,18,0.000021,eip155:1/slip44:60,ETH,18,' +
  '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC,0x70997970C51812dc3A010C7d01b50e0d17dc79C8,0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC,' +
  '0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060,19000000,confirmed\r\n' +
  ',tron:0x2b6653dc,tron:0x2b6653dc/trc20:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t,"\'=HYPERLINK(""http://x.example"",""USDT, claim"")",in,250,6,,,,,' +
  'TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7,TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7,TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL,' +
  'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90,,pending\r\n' +
  '1970-01-01T00:00:00.000Z,bip122:000000000019d6689c085ae165831e93,bip122:000000000019d6689c085ae165831e93/slip44:0,BTC,self,0.00012345,8,' +
  '0.00000141,bip122:000000000019d6689c085ae165831e93/slip44:0,,8,' +
  'bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3,bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4,bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3,' +
  'f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16,,dropped\r\n'

const HEADER = `${HISTORY_CSV_COLUMNS.join(',')}\r\n`

/** A valid data row for a minimal incoming ETH transfer, with `changes` applied by column name. */
function row(changes: Partial<Record<(typeof HISTORY_CSV_COLUMNS)[number], string>> = {}): string {
  const base: Record<string, string> = {
    date: '',
    chain: 'eip155:1',
    asset: ETH,
    symbol: 'ETH',
    direction: 'in',
    amount: '1',
    decimals: '18',
    fee: '',
    fee_asset: '',
    fee_symbol: '',
    fee_decimals: '',
    counterparty: '0xa',
    from: '0xa',
    to: '0xb',
    hash: '0xh',
    block: '',
    state: 'confirmed',
    unverified: '',
  }
  return formatCsv([HISTORY_CSV_COLUMNS.map((c) => changes[c] ?? base[c]!)])
}

describe('historyToCsv', () => {
  it('writes the pinned format', () => {
    expect(historyToCsv(GOLDEN_ITEMS)).toBe(GOLDEN_CSV)
    expect(historyToCsv([])).toBe(HEADER)
  })

  it('never writes a sign or a quote mark into numeric columns', () => {
    const [, ...rows] = parseCsv(historyToCsv(GOLDEN_ITEMS))
    for (const fields of rows) {
      for (const column of ['amount', 'decimals', 'fee', 'fee_decimals', 'block'] as const) {
        expect(fields[HISTORY_CSV_COLUMNS.indexOf(column)]).toMatch(/^(\d+(\.\d+)?)?$/)
      }
    }
  })

  const item = GOLDEN_ITEMS[0]!
  it.each<[string, CsvHistoryItem, RegExp]>([
    [
      'a fee without feeDecimals',
      { ...item, feeDecimals: undefined },
      /items\[0\]\.feeDecimals is required when items\[0\]\.fee is present/,
    ],
    ['a negative amount', { ...item, amount: -1n }, /items\[0\]\.amount must be a bigint from 0 to 2\^256 - 1/],
    ['an amount past 2^256 - 1', { ...item, amount: 2n ** 256n }, /items\[0\]\.amount must be a bigint/],
    ['a number amount', { ...item, amount: 1 as never }, /items\[0\]\.amount must be a bigint from 0 to 2\^256 - 1, got number/],
    ['a negative fee', { ...item, fee: { asset: ETH, amount: -5n } }, /items\[0\]\.fee\.amount must be a bigint/],
    ['a bad chain id', { ...item, chainId: 'eip155' as never }, /items\[0\]\.chainId is not a CAIP-2 chain id/],
    ['a bad asset id', { ...item, asset: 'eip155:1/erc20' as never }, /items\[0\]\.asset is not a CAIP-19 asset id/],
    ['an asset on another chain', { ...item, asset: 'eip155:137/slip44:966' }, /items\[0\]\.asset is not on chain eip155:1/],
    ['a fee asset on another chain', { ...item, fee: { asset: BTC, amount: 1n } }, /items\[0\]\.fee\.asset is not on chain eip155:1/],
    ['a bad direction', { ...item, direction: 'sideways' as never }, /items\[0\]\.direction must be one of "in", "out", "self"/],
    ['a bad state', { ...item, state: 'lost' as never }, /items\[0\]\.state must be one of/],
    ['fractional decimals', { ...item, decimals: 1.5 }, /items\[0\]\.decimals must be an integer from 0 to 255/],
    ['a timestamp outside the Date range', { ...item, timestamp: 8.64e15 + 1 }, /items\[0\]\.timestamp must be an integer/],
    ['a fractional timestamp', { ...item, timestamp: 1.5 }, /items\[0\]\.timestamp must be an integer/],
    ['a negative block', { ...item, blockHeight: -1 }, /items\[0\]\.blockHeight must be an integer from 0/],
    ['a non-string symbol', { ...item, symbol: 7 as never }, /items\[0\]\.symbol must be a string/],
    ['a non-boolean unverified', { ...item, unverified: 'yes' as never }, /items\[0\]\.unverified must be a boolean, got/],
  ])('rejects %s', (_, bad, message) => {
    expectInvalid(() => historyToCsv([bad]), message)
  })

  it('rejects a non-array', () => {
    expectInvalid(() => historyToCsv({} as never), /items must be an array/)
  })
})

describe('parseHistoryCsv', () => {
  it('reads the golden export back', () => {
    expect(parseHistoryCsv(GOLDEN_CSV)).toStrictEqual(GOLDEN_ITEMS)
    expect(parseHistoryCsv(GOLDEN_CSV.replaceAll('\r\n', '\n').slice(0, -1))).toStrictEqual(GOLDEN_ITEMS)
    expect(parseHistoryCsv(HEADER)).toEqual([])
  })

  it('reads an export made before the unverified column: nothing in it is unverified', () => {
    expect(parseHistoryCsv(LEGACY_CSV)).toStrictEqual(GOLDEN_ITEMS.map(({ unverified: _unverified, ...rest }) => rest))
    expect(parseHistoryCsv(historyToCsv([{ ...GOLDEN_ITEMS[1]!, unverified: false }]))[0]).not.toHaveProperty('unverified')
  })

  it('reads an empty symbol as absent', () => {
    const [read] = parseHistoryCsv(historyToCsv([{ ...GOLDEN_ITEMS[1]!, symbol: '' }]))
    expect(read).not.toHaveProperty('symbol')
  })

  it('reads fee_decimals without a fee', () => {
    const [read] = parseHistoryCsv(HEADER + row({ fee_decimals: '6' }))
    expect(read).toStrictEqual({
      chainId: 'eip155:1',
      hash: '0xh',
      asset: ETH,
      direction: 'in',
      from: '0xa',
      to: '0xb',
      amount: 10n ** 18n,
      state: 'confirmed',
      decimals: 18,
      symbol: 'ETH',
      feeDecimals: 6,
    })
  })

  it.each<[string, string, RegExp]>([
    ['empty text', '', /History CSV is empty/],
    [
      'a wrong header',
      HEADER.replace('amount', 'value'),
      /^CSV line 1: column 6 of the header is "value", expected "amount"\. The header must be: date,chain,/,
    ],
    ['a short header', 'date,chain\r\n', /^CSV line 1: column 3 of the header is missing, expected "asset"/],
    ['an extra column', HEADER.replace('\r\n', ',note\r\n'), /^CSV line 1: 19 fields, expected 18/],
    [
      'a legacy header with a note for unverified',
      HEADER.replace(',unverified\r\n', ',note\r\n'),
      /^CSV line 1: column 18 of the header is "note", expected "unverified"/,
    ],
    ['a short row', HEADER + 'a,b\r\n', /^CSV line 2: 2 fields, expected 18/],
    ['a legacy header over a current row', LEGACY_CSV.split('\r\n')[0] + '\r\n' + row(), /^CSV line 2: 18 fields, expected 17/],
    [
      'an unverified flag other than true',
      HEADER + row({ unverified: 'yes' }),
      /^CSV line 2, column "unverified": expected "true" or nothing, got "yes"/,
    ],
    ['a bad chain id', HEADER + row({ chain: 'eip155' }), /^CSV line 2, column "chain": not a CAIP-2 chain id: "eip155"/],
    ['a bad asset id', HEADER + row({ asset: 'eip155:1/erc20' }), /^CSV line 2, column "asset": not a CAIP-19 asset id/],
    [
      'an asset on another chain',
      HEADER + row({ asset: 'eip155:137/slip44:966' }),
      /^CSV line 2, column "asset": asset "eip155:137\/slip44:966" is not on chain "eip155:1"/,
    ],
    ['a bad direction', HEADER + row({ direction: 'IN' }), /^CSV line 2, column "direction": expected in, out, self, got "IN"/],
    ['a bad state', HEADER + row({ state: '' }), /^CSV line 2, column "state": expected pending, confirmed, failed, dropped, got ""/],
    ['a negative amount', HEADER + row({ amount: '-1' }), /^CSV line 2, column "amount": Amount must not be negative\. Got "-1"/],
    [
      'too many decimal places',
      HEADER + row({ amount: '0.1', decimals: '0' }),
      /^CSV line 2, column "amount": Amount has more than 0 decimal places/,
    ],
    ['an exponent', HEADER + row({ amount: '1e6' }), /^CSV line 2, column "amount": Amount must be a plain decimal/],
    ['missing decimals', HEADER + row({ decimals: '' }), /^CSV line 2, column "decimals": is required/],
    [
      'decimals past 255',
      HEADER + row({ decimals: '256' }),
      /^CSV line 2, column "decimals": expected an integer from 0 to 255, got "256"/,
    ],
    ['decimals with a leading zero', HEADER + row({ decimals: '06' }), /column "decimals": expected an integer/],
    ['a negative block', HEADER + row({ block: '-1' }), /^CSV line 2, column "block": expected an integer/],
    [
      'a date without milliseconds',
      HEADER + row({ date: '2024-01-01T00:00:00Z' }),
      /^CSV line 2, column "date": expected an ISO 8601 UTC time/,
    ],
    ['a date that does not exist', HEADER + row({ date: '2024-02-30T00:00:00.000Z' }), /column "date": expected an ISO 8601/],
    ['a local date', HEADER + row({ date: '2024-01-01' }), /column "date": expected an ISO 8601/],
    [
      'a fee without fee_asset',
      HEADER + row({ fee: '1', fee_decimals: '18' }),
      /^CSV line 2, column "fee_asset": is required when "fee" is set/,
    ],
    [
      'a fee_asset without fee',
      HEADER + row({ fee_asset: ETH, fee_decimals: '18' }),
      /^CSV line 2, column "fee": is required when "fee_asset" is set/,
    ],
    [
      'a fee without fee_decimals',
      HEADER + row({ fee: '1', fee_asset: ETH }),
      /^CSV line 2, column "fee_decimals": is required when "fee" is set/,
    ],
    [
      'a counterparty that is not from',
      HEADER + row({ counterparty: '0xb' }),
      /^CSV line 2, column "counterparty": does not match "from" for direction in/,
    ],
    [
      'a counterparty that is not to',
      HEADER + row({ direction: 'out' }),
      /^CSV line 2, column "counterparty": does not match "to" for direction out/,
    ],
    ['an unterminated quote', HEADER + row() + '"x', /^CSV line 3: a quoted field is never closed/],
    ['a bad third row', HEADER + row() + row() + row({ hash: 'x\ny', chain: 'x' }), /^CSV line 4, column "chain"/],
  ])('rejects %s', (_, text, message) => {
    expectInvalid(() => parseHistoryCsv(text), message)
  })

  it('quotes at most 40 characters of a bad field', () => {
    const error = expectInvalid(() => parseHistoryCsv(HEADER + row({ direction: 'x'.repeat(300) })), /column "direction"/)
    expect(error.message).not.toContain('x'.repeat(41))
    expect(error.details).toMatchObject({ line: 2, column: 'direction' })
  })

  const namespace = fc.stringMatching(/^[-a-z0-9]{3,8}$/)
  const reference = fc.stringMatching(/^[-.%a-zA-Z0-9]{1,128}$/)
  const historyItem = fc
    .tuple(namespace, fc.stringMatching(/^[-_a-zA-Z0-9]{1,32}$/))
    .map(([ns, ref]) => `${ns}:${ref}` as ChainId)
    .chain((chainId) => {
      const assetId = fc
        .tuple(namespace, reference, fc.option(fc.stringMatching(/^[-.%a-zA-Z0-9]{1,78}$/), { nil: undefined }))
        .map(([ns, ref, token]) => `${chainId}/${ns}:${ref}${token === undefined ? '' : `/${token}`}` as AssetId)
      const units = fc.bigInt({ min: 0n, max: 2n ** 256n - 1n })
      const decimals = fc.integer({ min: 0, max: 36 })
      return fc
        .record(
          {
            chainId: fc.constant(chainId),
            hash: tricky,
            asset: assetId,
            direction: fc.constantFrom('in', 'out', 'self'),
            from: tricky,
            to: tricky,
            amount: units,
            blockHeight: fc.nat(),
            timestamp: fc.date({ noInvalidDate: true }).map((d) => d.getTime()),
            fee: fc.record({ asset: assetId, amount: units }),
            state: fc.constantFrom('pending', 'confirmed', 'failed', 'dropped'),
            decimals,
            symbol: tricky.filter((s) => s !== ''),
            feeDecimals: decimals,
            feeSymbol: tricky.filter((s) => s !== ''),
            unverified: fc.constant(true),
          },
          { requiredKeys: ['chainId', 'hash', 'asset', 'direction', 'from', 'to', 'amount', 'state', 'decimals'] },
        )
        .filter((item) => item.fee === undefined || item.feeDecimals !== undefined)
        .map((item) => ({ ...item, ...(item.fee && { fee: { ...item.fee } }) }) as CsvHistoryItem) // plain prototypes, as toStrictEqual wants
    })

  it('round-trips any history through historyToCsv', () => {
    fc.assert(
      fc.property(fc.array(historyItem, { maxLength: 4 }), (items) => {
        expect(parseHistoryCsv(historyToCsv(items))).toStrictEqual(items)
      }),
      RUNS,
    )
  })
})
