/** The viewer's token: pasted once, kept in sessionStorage (gone when the tab closes). */
const KEY = 'offside.token'

/** Takes a `?token=` from the address once (then strips it so it is not bookmarked or shared). */
export function adoptTokenFromUrl(): void {
  const url = new URL(window.location.href)
  const token = url.searchParams.get('token')
  if (!token) return
  sessionStorage.setItem(KEY, token)
  url.searchParams.delete('token')
  window.history.replaceState(null, '', url.pathname + url.search + url.hash)
}

export function storedToken(): string | null {
  return sessionStorage.getItem(KEY)
}

export function storeToken(token: string): void {
  sessionStorage.setItem(KEY, token)
}

export function forgetToken(): void {
  sessionStorage.removeItem(KEY)
}
