import { useEffect, useState, type ReactNode } from 'react'

/** Renders its children only in the browser, after hydration (Leaflet needs `window`). */
export function ClientOnly({ children, fallback = null }: { children: () => ReactNode; fallback?: ReactNode }) {
  const [hydrated, setHydrated] = useState(false)
  useEffect(() => setHydrated(true), [])
  return <>{hydrated ? children() : fallback}</>
}
