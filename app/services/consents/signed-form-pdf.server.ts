// The signed form as a PDF (A4): the authorisation text, the signature image and the details
// (signer, role, time in China time, position, officer, the consent's hash). pdf-lib draws it;
// the Chinese glyphs come from a font on the server (fonts-wqy-microhei by default, embedded
// as the subset the form uses, so a form is tens of KB). WenQuanYi ships a TrueType
// collection (.ttc), which pdf-lib's fontkit does not embed, so its first face is copied out
// into a plain TrueType font once and kept in memory.
import fs from 'node:fs'
import type { PDFDocument as PdfDocument, PDFFont } from 'pdf-lib'
import { chinaTimeText } from '../../domain/china-time'
import type { ConsentFacts } from '../../domain/consent'
import { loadPdfLib } from '../heavy-packages.server'

const fonts = new Map<string, Uint8Array>()
type Fontkit = Parameters<PdfDocument['registerFontkit']>[0]
/** Each font's bytes as fontkit parsed them, kept with the bytes: parsing (its tables decoded as the form's glyphs ask) took about half a form's CPU. */
const parsed = new WeakMap<Uint8Array, ReturnType<Fontkit['create']>>()

/** The first face of a TrueType collection as a TrueType font of its own (a .ttf passes through). */
export function firstFontOf(file: Buffer): Buffer {
  if (file.subarray(0, 4).toString('latin1') !== 'ttcf') return file
  const start = file.readUInt32BE(12)
  const tables = file.readUInt16BE(start + 4)
  const head = Buffer.alloc(12 + 16 * tables)
  file.copy(head, 0, start, start + 12)
  const parts = [head]
  let offset = head.length
  for (let i = 0; i < tables; i++) {
    const record = start + 12 + 16 * i
    const from = file.readUInt32BE(record + 8)
    const length = file.readUInt32BE(record + 12)
    file.copy(head, 12 + 16 * i, record, record + 8)
    head.writeUInt32BE(offset, 12 + 16 * i + 8)
    head.writeUInt32BE(length, 12 + 16 * i + 12)
    const table = Buffer.alloc((length + 3) & ~3)
    file.copy(table, 0, from, from + length)
    parts.push(table)
    offset += table.length
  }
  return Buffer.concat(parts)
}

function fontBytes(file: string): Uint8Array {
  let bytes = fonts.get(file)
  if (!bytes) {
    bytes = firstFontOf(fs.readFileSync(file))
    fonts.set(file, bytes)
  }
  return bytes
}

const ROLE_TEXT = { owner: '经营者（业主）', legal_representative: '法定代表人' } as const

/**
 * Lines of at most `width` points in `font` at `size`, breaking anywhere (Chinese has no
 * spaces): each line as long as it can be, one character at least. A line's width only grows
 * with its characters, so the break is found by halving rather than by measuring the line
 * again after every character, which took three quarters of a form's CPU (decision 0761).
 */
function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = []
  for (const paragraph of text.split(/\r?\n/)) {
    const chars = [...paragraph]
    if (chars.length === 0) lines.push('')
    for (let start = 0; start < chars.length; ) {
      // The longest line from `start` that fits lies between `fits` (fitting, or one character) and `over` (not fitting).
      let fits = start + 1
      let over = chars.length + 1
      while (over - fits > 1) {
        const middle = Math.floor((fits + over) / 2)
        if (font.widthOfTextAtSize(chars.slice(start, middle).join(''), size) > width) over = middle
        else fits = middle
      }
      lines.push(chars.slice(start, fits).join(''))
      start = fits
    }
  }
  return lines
}

export async function makeSignedFormPdf(input: { fontFile: string; text: string; facts: ConsentFacts; signaturePng: Uint8Array; sha256: string }): Promise<Uint8Array> {
  const { facts } = input
  const { pdfLib: { PDFDocument, rgb }, fontkit } = await loadPdfLib()
  const doc = await PDFDocument.create()
  // fontkit's parse of a font, once per font and thread: a parsed font is read, never changed, by
  // the documents that embed a subset of it (decision 0761).
  doc.registerFontkit({
    create(bytes, postscriptName) {
      if (postscriptName !== undefined) return fontkit.create(bytes, postscriptName)
      let font = parsed.get(bytes)
      if (!font) parsed.set(bytes, (font = fontkit.create(bytes)))
      return font
    },
  })
  doc.setTitle(`征信查询授权书 ${facts.playerName}`)
  doc.setCreator('Wanqi')
  // A fixed date keeps the same consent's form the same bytes.
  doc.setCreationDate(new Date(facts.signedAt))
  doc.setModificationDate(new Date(facts.signedAt))
  const font = await doc.embedFont(fontBytes(input.fontFile), { subset: true })
  const margin = 50
  const pageSize: [number, number] = [595.28, 841.89]
  let page = doc.addPage(pageSize)
  let y = pageSize[1] - margin
  const line = (text: string, size: number, gap = 6) => {
    for (const part of wrap(text, font, size, pageSize[0] - 2 * margin)) {
      if (y - size < margin) {
        page = doc.addPage(pageSize)
        y = pageSize[1] - margin
      }
      page.drawText(part, { x: margin, y: y - size, size, font, color: rgb(0, 0, 0) })
      y -= size + gap
    }
  }
  const [title, ...rest] = input.text.split(/\r?\n/)
  line(title, 18, 12)
  line(rest.join('\n'), 11)
  y -= 10
  line(`被授权人：本行\u3000\u3000授权人（市场主体）：${facts.playerName}${facts.uscc ? `（统一社会信用代码 ${facts.uscc}）` : ''}`, 11)
  line(`签署人：${facts.signerName}（${ROLE_TEXT[facts.signerRole]}）`, 11)
  const signature = await doc.embedPng(input.signaturePng)
  const scale = Math.min(240 / signature.width, 100 / signature.height)
  if (y - signature.height * scale - 20 < margin) {
    page = doc.addPage(pageSize)
    y = pageSize[1] - margin
  }
  line('签名：', 11, 2)
  page.drawImage(signature, { x: margin, y: y - signature.height * scale, width: signature.width * scale, height: signature.height * scale })
  y -= signature.height * scale + 10
  line(`签署时间（北京时间）：${chinaTimeText(facts.signedAt, { seconds: true })}`, 10, 4)
  line(`签署位置：${facts.lat === null || facts.lng === null ? '无定位' : `${facts.lat.toFixed(6)}, ${facts.lng.toFixed(6)}（精度 ±${Math.round(facts.accuracyM ?? 0)} 米）`}`, 10, 4)
  line(`客户经理：${facts.officerName}（编号 ${facts.officerId}）\u3000授权书文本第 ${facts.textVersion} 版`, 10, 4)
  line(`有效期至（北京时间）：${chinaTimeText(facts.expiresAt)}`, 10, 4)
  line(`授权编号：${facts.consentId}`, 9, 4)
  line(`签名图像 SHA-256：${facts.signatureSha256}`, 8, 4)
  line(`授权记录 SHA-256：${input.sha256}`, 8, 4)
  // Plain objects rather than object streams: older PDF readers at the banks open it too.
  return doc.save({ useObjectStreams: false })
}
