// Shrinks a camera photo in the browser to about 200 KB and stamps the watermark on it
// (browser only: canvas). Drawn upright from the camera's orientation, so the JPEG sent
// needs no EXIF; the server strips whatever metadata is left anyway. The same stamped canvas
// drawn small is the thumbnail lists show (decision 0601): longest side 240 px, a few KB.
import { MAX_THUMBNAIL_BYTES, THUMBNAIL_SIDE } from '../services/visit-photos/photo-rules'

const TARGET_BYTES = 200 * 1024
const MAX_SIDE = 1600

export interface StampedPhoto {
  blob: Blob
  /** The small copy for lists; absent when it could not be made under the server's limit. */
  thumb?: Blob
}

function toBlob(canvas: HTMLCanvasElement, quality: number): Promise<Blob> {
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the photo could not be encoded'))), 'image/jpeg', quality))
}

export async function shrinkAndStamp(file: Blob, lines: readonly string[]): Promise<StampedPhoto> {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' })
  let scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height))
  try {
    // Smaller and smaller until it fits: quality first, then size.
    for (;;) {
      const canvas = document.createElement('canvas')
      canvas.width = Math.max(1, Math.round(bitmap.width * scale))
      canvas.height = Math.max(1, Math.round(bitmap.height * scale))
      const g = canvas.getContext('2d')!
      g.drawImage(bitmap, 0, 0, canvas.width, canvas.height)
      stamp(g, canvas.width, canvas.height, lines)
      for (const quality of [0.8, 0.65, 0.5]) {
        const blob = await toBlob(canvas, quality)
        if (blob.size <= TARGET_BYTES || canvas.width <= 320) return { blob, thumb: await thumbnailOf(canvas) }
      }
      scale *= 0.75
    }
  } finally {
    bitmap.close()
  }
}

/** The stamped canvas drawn with its longest side 240 px, as JPEG under the server's limit (or none). */
async function thumbnailOf(canvas: HTMLCanvasElement): Promise<Blob | undefined> {
  const scale = Math.min(1, THUMBNAIL_SIDE / Math.max(canvas.width, canvas.height))
  const small = document.createElement('canvas')
  small.width = Math.max(1, Math.round(canvas.width * scale))
  small.height = Math.max(1, Math.round(canvas.height * scale))
  const g = small.getContext('2d')!
  g.imageSmoothingQuality = 'high'
  g.drawImage(canvas, 0, 0, small.width, small.height)
  for (const quality of [0.7, 0.5]) {
    const blob = await toBlob(small, quality)
    if (blob.size <= MAX_THUMBNAIL_BYTES) return blob
  }
  return undefined
}

/** The lines in white on a dark band along the bottom, sized to the picture. */
function stamp(g: CanvasRenderingContext2D, width: number, height: number, lines: readonly string[]) {
  const size = Math.max(10, Math.round(Math.min(width, height) / 28))
  const pad = Math.round(size / 2)
  const band = lines.length * size * 1.3 + pad * 2
  g.fillStyle = 'rgba(0, 0, 0, 0.55)'
  g.fillRect(0, height - band, width, band)
  g.fillStyle = '#fff'
  g.font = `${size}px "WenQuanYi Micro Hei", "PingFang SC", "Microsoft YaHei", sans-serif`
  g.textBaseline = 'top'
  lines.forEach((line, i) => g.fillText(line, pad, height - band + pad + i * size * 1.3, width - pad * 2))
}
