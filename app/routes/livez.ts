// Liveness: the process answers. No database, no session: also the bare baseline the
// benchmarks compare pages against.
export function loader() {
  return new Response('ok', { headers: { 'Content-Type': 'text/plain', 'Cache-Control': 'no-store' } })
}
