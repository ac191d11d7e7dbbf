// Messages for an uploaded list that cannot be read as a table (read-table.server.ts).
export const fileZhCN = {
  'file.empty': '文件是空的。',
  'file.tooLarge': '文件太大（{sizeMb} MB），最大 {maxMb} MB：请拆分成几个文件分批导入。',
  'file.notSpreadsheet': '无法识别这个文件：请上传 Excel 表格（.xlsx 或 .xls）、WPS 表格或 CSV 文件。',
  'file.oldXls': '这是 Excel 95 或更早版本的文件，无法读取：请在 Excel 或 WPS 中“另存为” .xlsx 或 .csv 后再上传。',
  'file.xlsTooLarge': '这个 Excel 97–2003（.xls）文件有 {sizeMb} MB；此格式须整个读入内存，最大 {maxMb} MB：请另存为 .xlsx 或 .csv（边读边导入，最大 {streamMb} MB），或拆分成几个文件。',
  'file.encrypted': '文件设置了打开密码：请在 Excel 中取消密码，另存为 .xlsx 后再上传。',
  'file.htmlOrXml': '这个文件实际上是网页（HTML）或 XML 格式，只是扩展名像表格：请用 Excel 打开后“另存为” .xlsx 或 .csv 再上传。',
  'file.corrupt': '文件已损坏或不完整（可能上传中断），无法读取：请重新导出或重新上传。',
  'file.zipBomb': '文件解压后的大小异常（疑似恶意构造的压缩包），已拒绝处理。',
  'file.tooManyColumns': '第 {row} 行超过 {max} 列：请删除多余的列。',
  'file.cellTooLarge': '第 {row} 行 {columnLetter} 列（第 {column} 列）的内容超过 {max} 个字符。',
  'file.tooManyRows': '数据超过 {max} 行：请拆分成几个文件分批导入。',
  'file.csvQuoteNotClosed': '第 {row} 行有一个引号没有配对，后面的内容都连成了一个单元格：请检查这一行的引号。',
  'file.lineTooLong': '文本第 {line} 行超过 {max} 个字符：换行符或分隔符可能不对。',
} as const
