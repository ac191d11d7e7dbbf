// The design system's colour pairs (app/styles/tokens.css) meet WCAG AA for text: 4.5:1.
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { contrastRatio } from '../support/contrast'

const TOKENS = fs.readFileSync(path.resolve(import.meta.dirname, '../../app/styles/tokens.css'), 'utf8')
const colour = (name: string): string => {
  const match = new RegExp(`--${name}:\\s*(#[0-9a-fA-F]{6})`).exec(TOKENS)
  if (!match) throw new Error(`tokens.css has no colour --${name}`)
  return match[1]!
}

/** Every text colour on the backgrounds it is used on. */
const PAIRS: [text: string, background: string][] = [
  ['ink', 'bg'],
  ['ink', 'card'],
  ['muted', 'card'],
  ['muted', 'bg'],
  ['link', 'card'],
  ['link', 'bg'],
  ['brand-ink', 'brand'],
  ['brand', 'card'],
  ['ink', 'brand-pale'],
  ['ok', 'ok-bg'],
  ['warn', 'warn-bg'],
  ['danger', 'danger-bg'],
  ['danger', 'warn-bg'],
  ['danger', 'card'],
  ['info', 'info-bg'],
  // The hand-off stepper's marks: white on the done and closed tones, the current step in blue.
  ['card', 'ok'],
  ['card', 'danger'],
  ['info', 'card'],
]

/** Borders that show where a control is (WCAG 1.4.11, non-text contrast: 3:1). */
const CONTROL_EDGES: [edge: string, background: string][] = [
  ['field-line', 'card'],
  ['field-line', 'bg'],
  ['brand', 'card'],
]

describe('colour contrast', () => {
  it('computes the WCAG ratio (black on white is 21, grey #767676 on white about 4.54)', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5)
    expect(contrastRatio('#767676', '#ffffff')).toBeCloseTo(4.54, 2)
    expect(contrastRatio('#ffffff', '#fff6e0')).toBeLessThan(1.2)
  })

  it.each(PAIRS)('--%s on --%s reads at 4.5:1 or more', (text, background) => {
    expect(contrastRatio(colour(text), colour(background))).toBeGreaterThanOrEqual(4.5)
  })

  it.each(CONTROL_EDGES)('the edge --%s on --%s stands out at 3:1 or more', (edge, background) => {
    expect(contrastRatio(colour(edge), colour(background))).toBeGreaterThanOrEqual(3)
  })
})
