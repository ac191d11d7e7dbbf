// Charts drawn on the server with Apache ECharts as SVG: they arrive with the page, read on
// a phone (the SVG scales to the width it is given), need no script, and speak the page's
// language because their labels come translated.
import type * as echarts from 'echarts'
import { loadECharts } from './heavy-packages.server'

/**
 * The SVG of an option at a size. A chart is a pure function of its option, and drawing one
 * costs tens of milliseconds, so the last few hundred drawn are kept: a dashboard opened
 * again with the same figures draws nothing.
 */
async function render(option: echarts.EChartsOption, width: number, height: number): Promise<string> {
  const key = `${width}x${height}:${JSON.stringify(option)}`
  const kept = drawn.get(key)
  if (kept !== undefined) {
    // Most recently used last: the first is the one to drop.
    drawn.delete(key)
    drawn.set(key, kept)
    return kept
  }
  const svg = draw(await loadECharts(), option, width, height)
  drawn.set(key, svg)
  if (drawn.size > KEPT_CHARTS) drawn.delete(drawn.keys().next().value!)
  return svg
}

const KEPT_CHARTS = 200
const drawn = new Map<string, string>()

function draw(lib: typeof echarts, option: echarts.EChartsOption, width: number, height: number): string {
  const chart = lib.init(null, null, { renderer: 'svg', ssr: true, width, height })
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: 'system-ui, "PingFang SC", "Microsoft YaHei", sans-serif' }, ...option })
    // Scales with its box: the fixed size only sets the proportions.
    return chart.renderToSVGString().replace(/^<svg width="\d+" height="\d+"/, '<svg width="100%" preserveAspectRatio="xMidYMid meet"')
  } finally {
    chart.dispose()
  }
}

/**
 * Steps from the widest to the narrowest, each with its count and its share of the step
 * before; `shown` is the count as the page writes it (20,019, as in the tiles).
 */
export function funnelSvg(steps: { label: string; value: number; shown?: string }[], title: string): Promise<string> {
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
          label: { show: true, position: 'inside', color: '#fff', fontSize: 13, formatter: (p: { dataIndex: number }) => `${steps[p.dataIndex].label}  ${steps[p.dataIndex].shown ?? steps[p.dataIndex].value}` },
          data: steps.map((s, i) => ({ name: s.label, value: s.value, itemStyle: { color: FUNNEL_COLOURS[i % FUNNEL_COLOURS.length] } })),
        },
      ],
    },
    600,
    Math.max(240, steps.length * 40),
  )
}

/** Loans as bars (left axis) and two shares as lines in percent (right axis), step by step. */
export function trendSvg(steps: string[], bars: { label: string; values: number[] }, lines: { label: string; values: (number | null)[] }[], title: string): Promise<string> {
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

