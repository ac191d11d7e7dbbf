// The page is sent whole, without the zero bytes React 18 leaves at the end of a chunk when
// a Chinese character does not fit, so no NUL ever lands inside the text.
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { describe, expect, it } from 'vitest'
import { wholePage } from '../../app/entry.server'

function padded(s: string, zeros: number) {
  return Buffer.concat([Buffer.from(s, 'utf8'), Buffer.alloc(zeros)])
}

async function written(chunks: Buffer[]): Promise<string> {
  const page = wholePage()
  await pipeline(Readable.from(chunks), page.sink)
  return (await page.body).toString('utf8')
}

describe('wholePage', () => {
  it('drops the trailing zeros of each chunk and keeps everything else', async () => {
    const html = await written([padded('乡镇 411622100 已属于片区“城关', 2), padded('片区”。', 3), Buffer.from(' done', 'utf8')])
    expect(html).toBe('乡镇 411622100 已属于片区“城关片区”。 done')
    expect(html.includes('\u0000')).toBe(false)
  })

  it('passes chunks without padding through untouched, in order', async () => {
    expect(await written([Buffer.from('<p>城关镇</p>', 'utf8'), Buffer.from('<p>2</p>', 'utf8')])).toBe('<p>城关镇</p><p>2</p>')
  })

  it('gives the page only once React has ended it', async () => {
    const page = wholePage()
    let done = false
    void page.body.then(() => (done = true))
    page.sink.write(Buffer.from('<html>'))
    // A turn of the event loop: anything the write set going has run.
    await new Promise((resolve) => setImmediate(resolve))
    expect(done).toBe(false)
    page.sink.end(Buffer.from('</html>'))
    expect((await page.body).toString()).toBe('<html></html>')
  })
})
