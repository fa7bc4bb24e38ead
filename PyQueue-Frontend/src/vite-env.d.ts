/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Base URL of the API; empty or unset = the page's own origin. */
  readonly VITE_API_BASE?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
