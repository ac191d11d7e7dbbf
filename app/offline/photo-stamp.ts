// Shrinks a camera photo in the browser to about 200 KB and stamps the watermark on it
// (browser only: canvas). Drawn upright from the camera's orientation, so the JPEG sent
// needs no EXIF; the server strips whatever metadata is left anyway.
const TARGET_BYTES = 200 * 1024
const MAX_SIDE = 1600

function toBlob(canvas: HTMLCanvasElement, quality: number): Promise<Blob> {
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the photo could not be encoded'))), 'image/jpeg', quality))
}

export async function shrinkAndStamp(file: Blob, lines: readonly string[]): Promise<Blob> {
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
        if (blob.size <= TARGET_BYTES || canvas.width <= 320) return blob
      }
      scale *= 0.75
    }
  } finally {
    bitmap.close()
  }
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
