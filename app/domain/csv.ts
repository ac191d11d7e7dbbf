// CSV as Excel and WPS read it: quoted where needed, CRLF line ends, and a cell that could
// run as a formula (starting with = + - @, or a tab or carriage return) defused by a
// leading apostrophe.
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

export function csvLine(cells: readonly string[]): string {
  return cells.map(csvCell).join(',') + '\r\n'
}
