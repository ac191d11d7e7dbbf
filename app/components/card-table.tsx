// A table that becomes cards on a phone (decision 0270's `table.cards`), from its columns as
// data: each cell carries its column's name as `data-label`, the cell naming the row heads its
// card, and an empty list says so (`.empty-state`) instead of drawing an empty table.
import type { HTMLAttributes, Key, ReactNode, TdHTMLAttributes } from 'react'

export interface CardColumn<Row> {
  /** The column's heading; on a phone, each cell's label too (see `label`). */
  header: ReactNode
  cell: (row: Row) => ReactNode
  /** The cell that names the row: it heads the card on a phone, unlabelled. */
  title?: boolean
  /** The phone label when the heading is not plain text or should differ; false for none. */
  label?: string | false
  /** A class on the column's heading and on every one of its cells (`num`, say). */
  className?: string
  /** Attributes of this column's cells (a class, a style), per row. */
  cellProps?: (row: Row) => TdHTMLAttributes<HTMLTableCellElement>
}

type RowProps = HTMLAttributes<HTMLTableRowElement> & { [data: `data-${string}`]: string | number | undefined }

export interface CardTableProps<Row> {
  rows: readonly Row[]
  columns: readonly (CardColumn<Row> | null | false)[]
  /** The row's key; its index where rows have no identity of their own (errors of a file, say). */
  rowKey: (row: Row, index: number) => Key
  rowProps?: (row: Row) => RowProps
  /** More classes on the table, beside `cards`. */
  className?: string
  testId?: string
  /** What to say when there are no rows; without it an empty table is drawn. */
  empty?: ReactNode
  emptyTestId?: string
  /** The wrapper's classes (it scrolls a wide table on a laptop). */
  wrapClassName?: string
}

export function CardTable<Row>({ rows, columns, rowKey, rowProps, className, testId, empty, emptyTestId, wrapClassName = 'table-wrap' }: CardTableProps<Row>) {
  if (rows.length === 0 && empty !== undefined) {
    return (
      <p className="empty-state" data-testid={emptyTestId}>
        {empty}
      </p>
    )
  }
  const shown = columns.filter((c): c is CardColumn<Row> => Boolean(c))
  return (
    <div className={wrapClassName}>
      <table className={className ? `cards ${className}` : 'cards'} data-testid={testId}>
        <thead>
          <tr>
            {shown.map((c, i) => (
              <th key={i} scope="col" className={c.className}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, index) => (
            <tr key={rowKey(row, index)} {...rowProps?.(row)}>
              {shown.map((c, i) => {
                const label = c.title || c.label === false ? undefined : (c.label ?? (typeof c.header === 'string' ? c.header : undefined))
                const props = c.cellProps?.(row)
                const classes = [c.title ? 'card-title' : undefined, c.className, props?.className].filter(Boolean).join(' ') || undefined
                return (
                  <td key={i} data-label={label} {...props} className={classes}>
                    {c.cell(row)}
                  </td>
                )
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
