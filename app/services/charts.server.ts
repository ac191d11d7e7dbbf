// Charts drawn on the server with Apache ECharts as SVG: they arrive with the page, read on
// a phone (the SVG scales to the width it is given), need no script, and speak the page's
// language because their labels come translated.
import * as echarts from 'echarts'
import { COVERAGE_STEPS, coverageColour } from '../domain/map-colours'

function render(option: echarts.EChartsOption, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height })
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: 'system-ui, "PingFang SC", "Microsoft YaHei", sans-serif' }, ...option })
    // Scales with its box: the fixed size only sets the proportions.
    return chart.renderToSVGString().replace(/^<svg width="\d+" height="\d+"/, '<svg width="100%" preserveAspectRatio="xMidYMid meet"')
  } finally {
    chart.dispose()
  }
}

/** Steps from the widest to the narrowest, each with its count and its share of the step before. */
export function funnelSvg(steps: { label: string; value: number }[], title: string): string {
  return render(
    {
      aria: { enabled: true, label: { description: title } },
      series: [
        {
          type: 'funnel',
          sort: 'none',
          left: '5%',
          width: '90%',
          top: 10,
          bottom: 10,
          // Wide enough at the narrow end for its label to be read on a phone.
          minSize: '38%',
          gap: 2,
          label: { show: true, position: 'inside', color: '#fff', fontSize: 13, formatter: '{b}  {c}' },
          data: steps.map((s, i) => ({ name: s.label, value: s.value, itemStyle: { color: FUNNEL_COLOURS[i % FUNNEL_COLOURS.length] } })),
        },
      ],
    },
    600,
    Math.max(240, steps.length * 40),
  )
}

/** Loans as bars (left axis) and two shares as lines in percent (right axis), step by step. */
export function trendSvg(steps: string[], bars: { label: string; values: number[] }, lines: { label: string; values: (number | null)[] }[], title: string): string {
  return render(
    {
      aria: { enabled: true, label: { description: title } },
      legend: { top: 0, textStyle: { fontSize: 12 } },
      grid: { left: 40, right: 44, top: 48, bottom: 28 },
      xAxis: { type: 'category', data: steps, axisLabel: { fontSize: 11 } },
      yAxis: [
        { type: 'value', minInterval: 1, axisLabel: { fontSize: 11 } },
        { type: 'value', min: 0, max: 100, axisLabel: { fontSize: 11, formatter: '{value}%' } },
      ],
      series: [
        { type: 'bar', name: bars.label, data: bars.values, itemStyle: { color: '#93c5fd' } },
        ...lines.map((l, i) => ({
          type: 'line' as const,
          name: l.label,
          yAxisIndex: 1,
          connectNulls: false,
          data: l.values.map((v) => (v === null ? null : Math.round(v * 1000) / 10)),
          itemStyle: { color: ['#c2410c', '#15803d'][i % 2] },
          lineStyle: { width: 2 },
        })),
      ],
    },
    600,
    280,
  )
}

const FUNNEL_COLOURS = ['#1e3a8a', '#1d4ed8', '#2563eb', '#0891b2', '#0d9488', '#059669', '#16a34a', '#65a30d', '#ca8a04']

/**
 * Townships shaded by a ratio in five steps (the map's coverage colours), drawn from their
 * boundaries with no tiles: a picture of where the campaign stands.
 */
export function townshipMapSvg(townships: { code: string; boundary: string; value: number | null }[], labels: { title: string; noValue: string }): string {
  const features = townships.map((t) => ({ type: 'Feature' as const, properties: { name: t.code }, geometry: JSON.parse(t.boundary) }))
  // Registered under a name of its own each time: render() draws at once, so it cannot mix.
  const name = `townships-${++drawnMaps}`
  echarts.registerMap(name, { type: 'FeatureCollection', features } as never)
  const pieces = COVERAGE_STEPS.map((step, i) => {
    const to = COVERAGE_STEPS[i + 1]?.from
    return { gte: step.from * 100, ...(to === undefined ? { lte: 100 } : { lt: to * 100 }), color: step.colour, label: to === undefined ? `≥ ${step.from * 100}%` : `${step.from * 100}–${to * 100}%` }
  })
  return render(
    {
      aria: { enabled: true, label: { description: labels.title } },
      visualMap: {
        type: 'piecewise',
        pieces: [...pieces, { value: -1, color: coverageColour(null), label: labels.noValue }],
        orient: 'horizontal',
        left: 'center',
        bottom: 0,
        itemWidth: 14,
        textStyle: { fontSize: 11 },
      },
      series: [
        {
          type: 'map',
          map: name,
          roam: false,
          top: 10,
          bottom: 40,
          label: { show: false },
          itemStyle: { borderColor: '#ffffff', borderWidth: 0.5 },
          data: townships.map((t) => ({ name: t.code, value: t.value === null ? -1 : Math.round(t.value * 1000) / 10 })),
        },
      ],
    },
    600,
    460,
  )
}

let drawnMaps = 0
