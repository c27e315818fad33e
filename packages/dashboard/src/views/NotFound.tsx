import { Link } from 'react-router';

/** Unknown dashboard path. */
export function NotFound() {
  return (
    <div className="page">
      <div className="empty">
        Nothing here. <Link to="/">Back to sessions</Link>
      </div>
    </div>
  );
}
