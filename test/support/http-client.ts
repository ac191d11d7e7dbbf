// A tiny cookie-keeping HTTP client, in a module of its own so that a test of a server in
// another process (the crash tests) need not import the in-process one (test-server.ts).
/** A tiny cookie-keeping HTTP client for route tests. */
export class Client {
  private cookies = new Map<string, string>()
  constructor(private readonly base: string) {}

  async request(pathname: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers)
    if (this.cookies.size) headers.set('Cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '))
    // As a browser does: a change says where it comes from (a cookie-carrying POST that says
    // nothing is refused). A test of another origin passes its own header.
    const method = (init.method ?? 'GET').toUpperCase()
    if (method !== 'GET' && method !== 'HEAD' && !headers.has('Origin') && !headers.has('Sec-Fetch-Site')) headers.set('Origin', this.base)
    const response = await fetch(this.base + pathname, { ...init, headers, redirect: 'manual' })
    for (const header of response.headers.getSetCookie()) {
      const [pair, ...attributes] = header.split(';')
      const index = pair.indexOf('=')
      const name = pair.slice(0, index).trim()
      const value = pair.slice(index + 1).trim()
      const expired = attributes.some((a) => /max-age=0\b/i.test(a.trim()) || /expires=Thu, 01 Jan 1970/i.test(a))
      if (expired || value === '') this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
    return response
  }

  get(pathname: string) {
    return this.request(pathname)
  }

  /** Fields as pairs where a name repeats (checkboxes). */
  post(pathname: string, fields: Record<string, string> | [string, string][]) {
    return this.request(pathname, { method: 'POST', body: new URLSearchParams(fields) })
  }

  async signIn(username: string, password: string) {
    return this.post('/login', { username, password })
  }

  cookie(name: string) {
    return this.cookies.get(name)
  }
}
