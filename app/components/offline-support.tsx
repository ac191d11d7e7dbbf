// Registers the service worker (public/sw.js) and tells it what this page loaded, so the
// officer's list and the files it needs are on the phone before the signal goes. Starts
// the outbox, so visits saved offline go out from whichever page is open.
import { useLocation } from '@remix-run/react'
import { useEffect } from 'react'
import { startOutbox } from '../offline/outbox'

/** The built files and messages' parts this page has fetched so far. */
function loadedFiles(): string[] {
  return performance
    .getEntriesByType('resource')
    .map((e) => e.name)
    .filter((name) => /^\/(build|messages)\//.test(new URL(name).pathname))
}

/**
 * Tells the service worker to keep what the page has fetched since it last said so: a script
 * loaded ahead for later (the signature pad on the list), fetched before the worker controlled
 * the page, would not be on the phone otherwise.
 */
export function keepLoadedFiles(): void {
  if (!('serviceWorker' in navigator)) return
  void navigator.serviceWorker.ready.then((registration) => registration.active?.postMessage({ type: 'cache', urls: loadedFiles() }))
}

export function OfflineSupport({ signedIn, keepsList }: { signedIn: boolean; keepsList: boolean }) {
  const location = useLocation()
  useEffect(() => {
    if (!('serviceWorker' in navigator)) return
    void navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => undefined)
  }, [])

  useEffect(() => {
    if (!('serviceWorker' in navigator)) return
    let cancelled = false
    void navigator.serviceWorker.ready.then((registration) => {
      const worker = registration.active
      if (cancelled || !worker) return
      if (!signedIn) {
        worker.postMessage({ type: 'forget' })
        return
      }
      const loaded = loadedFiles()
      const styles = [...document.querySelectorAll<HTMLLinkElement>('link[rel="stylesheet"], link[rel="modulepreload"]')].map((l) => l.href)
      worker.postMessage({ type: 'cache', urls: [...(keepsList ? ['/my', '/my.data', '/my/route', '/my/route.data'] : []), ...styles, ...loaded] })
    })
    return () => {
      cancelled = true
    }
  }, [signedIn, keepsList, location.pathname])

  useEffect(() => {
    if (signedIn && keepsList) startOutbox()
  }, [signedIn, keepsList])
  return null
}
