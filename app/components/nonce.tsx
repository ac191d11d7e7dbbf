// The content security policy's nonce, for the inline scripts Remix writes into the page.
// Known while the server draws the page; in the browser it is '' (browsers hide it).
import { createContext, useContext } from 'react'

const NonceContext = createContext('')

export const NonceProvider = NonceContext.Provider

export function useNonce(): string {
  return useContext(NonceContext)
}
