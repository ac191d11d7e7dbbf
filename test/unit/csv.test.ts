import { describe, expect, it } from 'vitest'
import { csvCell, csvLine } from '../../app/domain/csv'

describe('CSV cells', () => {
  it('defuses anything Excel or WPS could run as a formula', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`)
    expect(csvCell('+86 138')).toBe("'+86 138")
    expect(csvCell('-1')).toBe("'-1")
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)")
    expect(csvCell('\t=1')).toBe("'\t=1")
  })

  it('quotes commas, quotes and line breaks, and leaves plain text alone', () => {
    expect(csvCell('河南金穗面业有限公司')).toBe('河南金穗面业有限公司')
    expect(csvCell('a,b')).toBe('"a,b"')
    expect(csvCell('say "hi"')).toBe('"say ""hi"""')
    expect(csvLine(['1', 'x\ny'])).toBe('1,"x\ny"\r\n')
  })
})
