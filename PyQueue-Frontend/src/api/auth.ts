/**
 * The API token of this tab. Kept in sessionStorage (per tab, gone when the tab closes) and
 * requested from the user when the server answers 401.
 */
import { useSyncExternalStore } from "react";

const STORAGE_KEY = "pyqueue.apiToken";

export interface AuthState {
  token: string | null;
  /** The server answered 401: the dashboard needs a (different) token. */
  required: boolean;
}

type Listener = () => void;
const listeners = new Set<Listener>();

function readStoredToken(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

let state: AuthState = { token: readStoredToken(), required: false };

function emit(next: AuthState): void {
  state = next;
  for (const listener of listeners) listener();
}

export function getToken(): string | null {
  return state.token;
}

export function getAuthState(): AuthState {
  return state;
}

/** Called on every 401 response. */
export function markTokenRequired(): void {
  if (!state.required) emit({ ...state, required: true });
}

export function setToken(token: string): void {
  const trimmed = token.trim();
  try {
    sessionStorage.setItem(STORAGE_KEY, trimmed);
  } catch {
    // Storage can be unavailable (private mode); the token then lives until reload.
  }
  emit({ token: trimmed, required: false });
}

export function clearToken(): void {
  try {
    sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // ignore
  }
  emit({ token: null, required: state.required });
}

/** Re-reads sessionStorage; for tests. */
export function resetAuthForTests(): void {
  emit({ token: readStoredToken(), required: false });
}

function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useAuth(): AuthState {
  return useSyncExternalStore(subscribe, getAuthState, getAuthState);
}
