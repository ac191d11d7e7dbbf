// Keeps a small Leaflet map framed on its points (browser only): one point centred at street
// level, several fitted with a margin.
import { useEffect, useRef } from 'react'
import { useMap } from 'react-leaflet'

export function FitTo({ points, padding }: { points: [number, number][]; padding: number }) {
  const map = useMap()
  // Refit when the points' coordinates change, not when a render makes a new array of the same ones.
  const key = points.map((p) => p.join(',')).join(';')
  const latest = useRef(points)
  latest.current = points
  useEffect(() => {
    const at = latest.current
    if (at.length === 1) map.setView(at[0], 15)
    else if (at.length > 1) map.fitBounds(at, { padding: [padding, padding], maxZoom: 16 })
  }, [map, key, padding])
  return null
}
