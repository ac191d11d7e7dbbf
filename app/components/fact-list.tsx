// Label and value pairs of one record, with a dash for what is not known.
import type { ReactNode } from 'react'

export type Fact = [label: string, value: ReactNode]

export function FactList({ facts }: { facts: Fact[] }) {
  return (
    <dl className="facts">
      {facts.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value === null || value === undefined || value === '' ? '—' : value}</dd>
        </div>
      ))}
    </dl>
  )
}
