/**
 * The session token lives in sessionStorage: it survives a reload of the tab, not the closing of the
 * browser, and other tabs do not share it.
 */
const KEY = 'crm.session';

export function loadToken(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function saveToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function clearToken(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // nothing stored
  }
}
