// A signature drawn with a finger (signature_pad 5, pointer events, so a mouse draws too):
// what is drawn goes into two hidden fields as it is drawn, the PNG as a data URL and the pen
// strokes as JSON, so the form posts them like any other field. The canvas is sized to its
// box at up to twice the screen's pixel ratio (sharp, and small enough to send).
import { useEffect, useRef, useState } from 'react'
import type SignaturePadType from 'signature_pad'
import { useT } from '../i18n/use-t'

export function SignaturePad({ label, errorId }: { label: string; errorId?: string }) {
  const t = useT()
  const canvas = useRef<HTMLCanvasElement>(null)
  const pad = useRef<SignaturePadType | null>(null)
  const [value, setValue] = useState({ png: '', strokes: '' })

  useEffect(() => {
    let cancelled = false
    let resize: (() => void) | null = null
    void import('signature_pad').then(({ default: SignaturePad }) => {
      const element = canvas.current
      if (cancelled || !element) return
      const drawn = new SignaturePad(element, { penColor: '#000', minWidth: 1, maxWidth: 3 })
      pad.current = drawn
      const sync = () => setValue(drawn.isEmpty() ? { png: '', strokes: '' } : { png: drawn.toDataURL('image/png'), strokes: JSON.stringify(drawn.toData()) })
      drawn.addEventListener('endStroke', sync)
      resize = () => {
        const ratio = Math.min(Math.max(window.devicePixelRatio || 1, 1), 2)
        element.width = element.offsetWidth * ratio
        element.height = element.offsetHeight * ratio
        element.getContext('2d')!.scale(ratio, ratio)
        // A resized canvas is blank: what was drawn is lost, and said so by the empty fields.
        drawn.clear()
        sync()
      }
      resize()
      window.addEventListener('resize', resize)
      element.dataset.ready = '1'
    })
    return () => {
      cancelled = true
      if (resize) window.removeEventListener('resize', resize)
      pad.current?.off()
    }
  }, [])

  return (
    <div className="field signature-field">
      <span id="signature-label">{label}</span>
      <canvas ref={canvas} className="signature-pad" aria-labelledby="signature-label" aria-describedby={errorId} data-testid="signature-pad" />
      <input type="hidden" name="signature" value={value.png} />
      <input type="hidden" name="strokes" value={value.strokes} />
      <button
        type="button"
        className="link-button"
        onClick={() => {
          pad.current?.clear()
          setValue({ png: '', strokes: '' })
        }}
      >
        {t('consent.clear')}
      </button>
    </div>
  )
}
