/** The connection indicator in the top bar: live (WebSocket), polling, reconnecting or offline, with the server it talks to. */
import { useTether } from '../api/context';

const LABELS = {
  connecting: 'Connecting',
  live: 'Live',
  polling: 'Live (polling)',
  reconnecting: 'Reconnecting',
  offline: 'Offline',
} as const;

export function ConnectionIndicator() {
  const { status, serverUrl } = useTether();
  const where = serverUrl || window.location.host;
  return (
    <div
      className={`conn conn-${status.state}`}
      data-state={status.state}
      title={`${status.detail}\nServer: ${where}`}
      role="status"
      aria-live="polite"
    >
      <span className="conn-dot" />
      <span className="conn-label">{LABELS[status.state]}</span>
      {serverUrl && <span className="conn-server">{serverUrl.replace(/^https?:\/\//, '')}</span>}
    </div>
  );
}
