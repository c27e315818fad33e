/**
 * Shown when the service answers 401 (no or unknown key) or 403 (key without the `read` scope).
 * The key is kept in sessionStorage for this tab only.
 */
import { useState, type FormEvent } from 'react';
import { useTether } from '../api/context';

export function KeyPrompt() {
  const { auth, setKey, apiKey, serverUrl } = useTether();
  const [value, setValue] = useState('');
  if (!auth) return null;
  const forbidden = auth.status === 403;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (value.trim()) setKey(value.trim());
  };
  return (
    <div className="modal-backdrop">
      <form className="modal" onSubmit={submit} aria-labelledby="key-title" data-testid="key-prompt">
        <h2 id="key-title">{forbidden ? 'This API key cannot read' : 'API key required'}</h2>
        {forbidden ? (
          <p className="error-box" data-testid="forbidden-message">
            The key you entered is valid but lacks the <code>read</code> scope (403 <code>forbidden</code>), so the
            dashboard cannot list sessions or open the live feed. Use a key created with the <code>read</code> (or{' '}
            <code>admin</code>) scope, e.g. <code>tether keys create --scopes read</code>.
          </p>
        ) : (
          <p>
            {serverUrl || window.location.host} has API keys enabled
            {apiKey ? ' and did not accept the key entered' : ''}. Enter a key with the <code>read</code> scope. It is
            kept in this browser tab only (sessionStorage).
          </p>
        )}
        <input
          type="password"
          autoFocus
          placeholder="API key"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          aria-label="API key"
        />
        <div className="modal-actions">
          {apiKey && (
            <button type="button" className="btn ghost" onClick={() => setKey('')}>
              Forget key
            </button>
          )}
          <button type="submit" className="btn primary" disabled={!value.trim()}>
            Use key
          </button>
        </div>
      </form>
    </div>
  );
}
