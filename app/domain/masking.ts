// Personal data shown masked by default (PRODUCT.md "Personal data").

/** At least this many characters stay hidden; shorter values keep only their last two. */
const MIN_HIDDEN = 4

function maskMiddle(value: string, head: number, tail: number): string {
  const chars = Array.from(value)
  if (chars.length >= head + tail + MIN_HIDDEN) {
    return chars.slice(0, head).join('') + '*'.repeat(chars.length - head - tail) + chars.slice(-tail).join('')
  }
  // Too short (or odd) to show head and tail safely: hide all but the last two.
  const shown = chars.length > 2 ? 2 : 0
  return '*'.repeat(chars.length - shown) + chars.slice(chars.length - shown).join('')
}

/** `13812345678` → `138****5678`; a landline keeps its area code and last three digits:
 * `0572-6029388` → `0572-****388` (an extension is hidden too). */
export function maskPhone(phone: string): string {
  const landline = /^(0\d{2,3})-(\d{7,8})(?:-\d+)?$/.exec(phone)
  if (landline) return `${landline[1]}-${'*'.repeat(landline[2].length - 3)}${landline[2].slice(-3)}`
  return maskMiddle(phone, 3, 4)
}

/** `110105194912310021` → `110***********0021`: same length, first 3 and last 4 shown. */
export function maskIdNumber(idNumber: string): string {
  return maskMiddle(idNumber, 3, 4)
}
