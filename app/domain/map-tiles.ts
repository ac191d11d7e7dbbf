// Base maps (PRODUCT.md "Maps"). Positions are stored in WGS-84; with no tiles at all the
// map still draws boundaries and markers on a plain background.
export const MAP_TILE_PROVIDERS = ['osm', 'none'] as const
export type MapTileProvider = (typeof MAP_TILE_PROVIDERS)[number]

export interface TileLayerSpec {
  provider: MapTileProvider
  url: string
  attribution: string
  /** The host the browser fetches tiles from, for the content security policy. */
  host: string
}

export function tileLayerFor(provider: MapTileProvider): TileLayerSpec | null {
  switch (provider) {
    case 'osm':
      return {
        provider,
        url: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png',
        attribution: '&copy; OpenStreetMap contributors',
        host: 'tile.openstreetmap.org',
      }
    case 'none':
      return null
  }
}
