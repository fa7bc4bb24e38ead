import type { ReactNode } from "react";
import { READ_ONLY_HINT, useReadOnly } from "../../hooks/useRole";
import "./RoleBadge.css";

/**
 * Disables every control inside (a disabled fieldset) when the token is read-only: the controls
 * that change something. Lays its children out as if it were not there (`display: contents`).
 */
export function RequireAdmin({ children }: { children: ReactNode }) {
  const readOnly = useReadOnly();
  return (
    <fieldset className="require-admin" disabled={readOnly} title={readOnly ? READ_ONLY_HINT : undefined}>
      {children}
    </fieldset>
  );
}
