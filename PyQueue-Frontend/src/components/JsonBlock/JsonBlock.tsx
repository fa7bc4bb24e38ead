import { formatJson } from "../../utils/payload";
import "./JsonBlock.css";

/** Untrusted JSON shown as text (React escapes it; never rendered as HTML). */
export function JsonBlock({ value, label }: { value: unknown; label: string }) {
  return (
    <pre className="json-block" aria-label={label}>
      {formatJson(value)}
    </pre>
  );
}
