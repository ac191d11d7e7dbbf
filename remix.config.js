/** @type {import('@remix-run/dev').AppConfig} */
export default {
  ignoredRouteFiles: ['**/.*', '**/*.test.*'],
  serverModuleFormat: 'esm',
  // Database drivers and other Node-only packages stay out of the bundle; see *.server.ts.
  serverDependenciesToBundle: [],
  future: {
    v3_fetcherPersist: true,
    v3_relativeSplatPath: true,
    v3_throwAbortReason: true,
    v3_singleFetch: true,
    // The whole route manifest (one content-hashed file, ~3 KB gzipped) comes with every page
    // instead of a /__manifest request for the links each page shows (decision 0871).
    v3_lazyRouteDiscovery: false,
  },
}
