// Messages for an uploaded list that cannot be read as a table (read-table.server.ts).
import type { fileZhCN } from './file.zh-CN'

export const fileEn: Record<keyof typeof fileZhCN, string> = {
  'file.empty': 'The file is empty.',
  'file.tooLarge': 'The file is too large ({sizeMb} MB; at most {maxMb} MB): split it into several files.',
  'file.notSpreadsheet': 'This file is not a spreadsheet: upload an Excel workbook (.xlsx or .xls), a WPS spreadsheet or a CSV file.',
  'file.oldXls': 'This is an Excel 95 or older file, which cannot be read: in Excel or WPS, save it as .xlsx or .csv and upload that.',
  'file.xlsTooLarge': 'This Excel 97–2003 (.xls) file is {sizeMb} MB; that format is read whole into memory, at most {maxMb} MB: save it as .xlsx or .csv (read as they stream, up to {streamMb} MB), or split it.',
  'file.encrypted': 'The file is protected by a password: remove the password in Excel, save it as .xlsx and upload that.',
  'file.htmlOrXml':
    'This file is really a web page (HTML) or XML, only named like a spreadsheet: open it in Excel, save it as .xlsx or .csv and upload that.',
  'file.corrupt': 'The file is damaged or incomplete (perhaps the upload was cut short): export or upload it again.',
  'file.zipBomb': 'The file would unpack to an implausible size (a suspected zip bomb) and was refused.',
  'file.tooManyColumns': 'Row {row} has more than {max} columns: delete the extra columns.',
  'file.cellTooLarge': 'Row {row}, column {columnLetter} (column {column}) holds more than {max} characters.',
  'file.tooManyRows': 'The file has more than {max} data rows: split it into several files.',
  'file.csvQuoteNotClosed':
    'Row {row} opens a quotation mark that is never closed, so everything after it runs into one cell: check the quotes on that row.',
  'file.lineTooLong': 'Line {line} of the text is longer than {max} characters: the line breaks or the delimiter may be wrong.',
}
