// `npm run bench -- NAME` runs the benchmark of that name alone: `import` used to run
// import-serving as well (its name starts the same), an hour more at a million rows.
import { describe, expect, it } from 'vitest'
import { selectBenchmarks } from '../bench/harness'

const FILES = ['http.bench.ts', 'import.bench.ts', 'import-serving.bench.ts', 'qr.bench.ts', 'qr-page.bench.ts', 'soak.bench.ts']

describe('choosing benchmarks by name', () => {
  it('runs the one named exactly, not those whose name begins the same', () => {
    expect(selectBenchmarks(FILES, 'import')).toEqual(['import.bench.ts'])
    expect(selectBenchmarks(FILES, 'import-serving')).toEqual(['import-serving.bench.ts'])
    expect(selectBenchmarks(FILES, 'qr')).toEqual(['qr.bench.ts'])
  })

  it('runs every one whose name contains a part, and all without a name', () => {
    expect(selectBenchmarks(FILES, 'serving')).toEqual(['import-serving.bench.ts'])
    expect(selectBenchmarks(FILES, 'qr-')).toEqual(['qr-page.bench.ts'])
    expect(selectBenchmarks(FILES, 'bench')).toEqual([])
    expect(selectBenchmarks(FILES, undefined)).toEqual(FILES)
  })
})
