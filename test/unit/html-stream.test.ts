// The page stream drops the zero bytes React 18 leaves at the end of a chunk when a
// Chinese character does not fit, so no NUL ever lands inside the text.
import { Readable } from 'node:stream'
import { text } from 'node:stream/consumers'
import { describe, expect, it } from 'vitest'
import { withoutChunkPadding } from '../../app/entry.server'

function padded(s: string, zeros: number) {
  return Buffer.concat([Buffer.from(s, 'utf8'), Buffer.alloc(zeros)])
}

describe('withoutChunkPadding', () => {
  it('drops the trailing zeros of each chunk and keeps everything else', async () => {
    const out = Readable.from([padded('乡镇 411622100 已属于片区“城关', 2), padded('片区”。', 3), Buffer.from(' done', 'utf8')]).pipe(withoutChunkPadding())
    const html = await text(out)
    expect(html).toBe('乡镇 411622100 已属于片区“城关片区”。 done')
    expect(html.includes('\u0000')).toBe(false)
  })

  it('passes a chunk without padding through untouched', async () => {
    const chunk = Buffer.from('<p>城关镇</p>', 'utf8')
    const out = Readable.from([chunk]).pipe(withoutChunkPadding())
    expect(await text(out)).toBe('<p>城关镇</p>')
  })
})
