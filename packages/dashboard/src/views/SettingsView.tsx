/** Settings: which Tether service to watch (also `?server=`), the API key for this tab, and the theme. */
import { useState, type FormEvent } from 'react';
import { useTether } from '../api/context';

export function SettingsView() {
  const { serverUrl, setServer, apiKey, setKey, status } = useTether();
  const [url, setUrl] = useState(serverUrl);
  const [key, setKeyInput] = useState('');
  const save = (e: FormEvent) => {
    e.preventDefault();
    setServer(url);
  };
  return (
    <div className="page narrow">
      <h1>Settings</h1>
      <form className="card form" onSubmit={save}>
        <h3>Tether service</h3>
        <p className="muted">
          Leave empty to use the service that served this page ({window.location.origin}). Another service must allow
          this origin (<code>TETHER_CORS_ORIGINS</code>). A link with <code>?server=&lt;url&gt;</code> sets this too.
        </p>
        <div className="row">
          <input
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            placeholder={window.location.origin}
            aria-label="Server URL"
            data-testid="server-url"
          />
          <button className="btn primary" type="submit">
            Connect
          </button>
        </div>
        <p className="muted">Status: {status.detail}</p>
      </form>
      <form
        className="card form"
        onSubmit={(e) => {
          e.preventDefault();
          setKey(key.trim());
          setKeyInput('');
        }}
      >
        <h3>API key</h3>
        <p className="muted">
          Needed when the service has API keys enabled; needs the <code>read</code> scope (and <code>ingest</code> for
          “Test session”). Kept in this tab only (sessionStorage). {apiKey ? 'A key is set.' : 'No key set.'}
        </p>
        <div className="row">
          <input
            type="password"
            value={key}
            onChange={(e) => setKeyInput(e.target.value)}
            placeholder="API key"
            aria-label="API key"
          />
          <button className="btn primary" type="submit" disabled={!key.trim()}>
            Use key
          </button>
          {apiKey && (
            <button className="btn ghost" type="button" onClick={() => setKey('')}>
              Forget
            </button>
          )}
        </div>
      </form>
    </div>
  );
}
