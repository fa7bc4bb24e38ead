import type { WhoAmI } from "../../api/operations";
import { useWhoAmI } from "../../hooks/useRole";
import "./RoleBadge.css";

const LABEL = {
  admin: "Admin",
  readonly: "Read-only",
  open: "Open (no token)",
} as const;

export function roleLabel(who: WhoAmI): keyof typeof LABEL {
  if (!who.auth) return "open";
  return who.role;
}

/** Who the dashboard's token is, next to the live indicator. */
export function RoleBadge() {
  const who = useWhoAmI();
  if (!who.data) return null;
  const kind = roleLabel(who.data);
  const title =
    kind === "readonly"
      ? "This token may read but not change anything"
      : kind === "open"
        ? "The server requires no token: anyone who reaches it may change the queue"
        : "This token may change anything";
  return (
    <span className={`role-badge role-badge--${kind}`} data-role={who.data.role} title={title}>
      {LABEL[kind]}
    </span>
  );
}
