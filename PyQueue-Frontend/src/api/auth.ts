/**
 * The API token of this tab. Kept in sessionStorage (per tab, gone when the tab closes) and
 * requested from the user when the server answers 401.
 */
import { createStore, useStore } from "../utils/store";

const STORAGE_KEY = "pyqueue.apiToken";

export interface AuthState {
  token: string | null;
  /** The server answered 401: the dashboard needs a (different) token. */
  required: boolean;
}

function readStoredToken(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

const auth = createStore<AuthState>({ token: readStoredToken(), required: false });

export function getToken(): string | null {
  return auth.get().token;
}

export function getAuthState(): AuthState {
  return auth.get();
}

/** Called on every 401 response. */
export function markTokenRequired(): void {
  auth.update((state) => (state.required ? state : { ...state, required: true }));
}

export function setToken(token: string): void {
  const trimmed = token.trim();
  try {
    sessionStorage.setItem(STORAGE_KEY, trimmed);
  } catch {
    // Storage can be unavailable (private mode); the token then lives until reload.
  }
  auth.set({ token: trimmed, required: false });
}

export function clearToken(): void {
  try {
    sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // ignore
  }
  auth.update((state) => ({ token: null, required: state.required }));
}

/** Re-reads sessionStorage; for tests. */
export function resetAuthForTests(): void {
  auth.set({ token: readStoredToken(), required: false });
}

export function useAuth(): AuthState {
  return useStore(auth);
}
