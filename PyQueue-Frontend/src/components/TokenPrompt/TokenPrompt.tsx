import { type FormEvent, useState } from "react";
import { setToken, useAuth } from "../../api/auth";
import { Modal } from "../Modal/Modal";
import "./TokenPrompt.css";

/** Asks for the API token when the server answered 401; keeps it in sessionStorage. */
export function TokenPrompt({ onSaved }: { onSaved?: () => void }) {
  const { required, token } = useAuth();
  const [value, setValue] = useState("");
  if (!required) return null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!value.trim()) return;
    setToken(value);
    setValue("");
    onSaved?.();
  };

  return (
    <Modal title="API token required">
      <form className="token-prompt" onSubmit={submit}>
        <p>
          This server requires an access token. It is kept for this tab only (session storage).
        </p>
        {token && (
          <p className="token-prompt__error" role="alert">
            The server rejected the token. Check it and try again.
          </p>
        )}
        <label htmlFor="api-token">API token</label>
        <input
          id="api-token"
          type="password"
          autoComplete="off"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          data-autofocus
          required
        />
        <div className="modal__actions">
          <button type="submit" className="primary" disabled={!value.trim()}>
            Save token
          </button>
        </div>
      </form>
    </Modal>
  );
}
