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
    // Without animation: a map taken away mid-animation (the route's last stop unticked) left
    // Leaflet's next frame reading a removed pane ("_leaflet_pos" of undefined).
    if (at.length === 1) map.setView(at[0], 15, { animate: false })
    else if (at.length > 1) map.fitBounds(at, { padding: [padding, padding], maxZoom: 16, animate: false })
  }, [map, key, padding])
  return null
}
