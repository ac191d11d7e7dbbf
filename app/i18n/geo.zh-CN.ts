// 片区边界的文案：GeoJSON 校验、片区重叠（domain/geometry.ts）。
export const geoZhCN = {
  'geo.notJson': '边界不是有效的 GeoJSON 文本。',
  'geo.type': '图形应为 GeoJSON 的 Polygon 或 MultiPolygon，而不是“{type}”。',
  'geo.featureCount': '文件中有 {count} 个图形，只能有一个。',
  'geo.structure': '坐标不符合 GeoJSON 格式：多边形应由若干环组成，每个环是一串 [经度, 纬度]。',
  'geo.empty': '图形是空的。',
  'geo.coordinate': '坐标“{value}”不是数字。',
  'geo.lngRange': '经度 {value} 超出 −180 至 180 的范围。',
  'geo.latRange': '纬度 {value} 超出 −90 至 90 的范围。',
  'geo.ringTooShort': '第 {ring} 个环只有 {count} 个不同的顶点，至少需要 3 个。',
  'geo.tooManyVertices': '图形有 {count} 个顶点，最多 {max} 个：请简化后再试。',
  'geo.selfIntersection': '边界在 {lng}, {lat} 附近自相交。',
  'geo.holeOutside': '内环（挖空部分）在 {lng}, {lat} 附近超出了外边界。',
  'geo.partsOverlap': '图形的两个部分在 {lng}, {lat} 附近重叠。',
  'geo.territoryOverlap': '与片区“{name}”在 {lng}, {lat} 附近重叠。',
}
