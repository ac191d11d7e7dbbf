// The printable poster: an A4 page with the bank's, outlet's and officer's names and the
// code's URL as a QR code, drawn on the server as SVG by `qrcode` (no script, prints sharp).
import QRCode from 'qrcode'

export async function loanQrSvg(url: string): Promise<string> {
  // Level M survives a scuffed or partly covered poster; the margin is the quiet zone readers need.
  return QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 })
}
