// Base maps (PRODUCT.md "Maps"). Positions are stored in WGS-84. OpenStreetMap and Tianditu
// (天地图) draw WGS-84 as it is; AMap/Gaode tiles are drawn in GCJ-02, so positions are
// shifted onto them for drawing and anything a user places is shifted back. With no tiles
// at all the map still draws boundaries and markers on a plain background.
export const MAP_TILE_PROVIDERS = ['osm', 'tianditu', 'amap', 'none'] as const
export type MapTileProvider = (typeof MAP_TILE_PROVIDERS)[number]

/** The datum the tiles are drawn in. */
export type TileDatum = 'wgs84' | 'gcj02'

export interface TileLayerSpec {
  provider: MapTileProvider
  url: string
  subdomains: string
  attribution: string
  datum: TileDatum
  /** The hosts the browser fetches tiles from, for the content security policy. */
  hosts: string[]
}

export function tileLayerFor(provider: MapTileProvider, key: string | null = null): TileLayerSpec | null {
  switch (provider) {
    case 'osm':
      return {
        provider,
        url: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png',
        subdomains: 'abc',
        attribution: '&copy; OpenStreetMap contributors',
        datum: 'wgs84',
        hosts: ['tile.openstreetmap.org'],
      }
    case 'tianditu':
      if (!key) throw new Error('MAP_TILES=tianditu needs MAP_TILES_KEY (a Tianditu browser key)')
      return {
        provider,
        url: `https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=${encodeURIComponent(key)}`,
        subdomains: '01234567',
        attribution: '&copy; 天地图',
        datum: 'wgs84',
        hosts: [...'01234567'].map((s) => `t${s}.tianditu.gov.cn`),
      }
    case 'amap':
      return {
        provider,
        url: 'https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}',
        subdomains: '1234',
        attribution: '&copy; 高德地图',
        datum: 'gcj02',
        hosts: [...'1234'].map((s) => `webrd0${s}.is.autonavi.com`),
      }
    case 'none':
      return null
  }
}
