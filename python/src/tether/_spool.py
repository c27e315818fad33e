"""On-disk spool: batches waiting for delivery, kept as files so they survive an agent restart.

Layout of the spool directory: one ``<time_ns>-<n>.batch.json`` file per batch (a JSON array of events, each with its
client-generated ``id``), written to a temporary name and renamed, so a crash never leaves half a batch. A batch file
is removed once every event in it is stored (or rejected for good). ``.lock`` holds an exclusive ``flock`` while a
client owns the directory: one process per spool directory.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import IO, Any

logger = logging.getLogger("tether")

__all__ = ["Spool", "SpoolBusyError"]


class SpoolBusyError(RuntimeError):
    """Another live process holds the spool directory's lock."""


class Spool:
    """A directory of pending batches. Not thread-safe: only the sender thread calls it (and close, after it stopped).

    Args:
        directory: created if missing.
        fsync: fsync each file and the directory after writing (survives power loss; costs a disk flush per batch).

    Raises:
        SpoolBusyError: another process holds the directory.
        OSError: the directory cannot be created or written.
    """

    def __init__(self, directory: str, fsync: bool = False) -> None:
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.fsync = fsync
        self._n = 0
        self._lock_file: IO[str] | None = None
        self._lock()

    def _lock(self) -> None:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no advisory lock, one process per directory is on the user
            return
        f = open(self.dir / ".lock", "a+")  # noqa: SIM115 - kept open for the lock's lifetime
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            f.close()
            raise SpoolBusyError(f"spool directory {self.dir} is in use by another process") from exc
        self._lock_file = f

    def load(self) -> list[tuple[Path, list[dict[str, Any]]]]:
        """Batches left by an earlier run, oldest first. Unreadable files are renamed ``*.bad`` and logged."""
        out: list[tuple[Path, list[dict[str, Any]]]] = []
        for p in sorted(self.dir.glob("*.batch.json")):
            try:
                events = json.loads(p.read_text("utf-8"))
                if not isinstance(events, list):
                    raise ValueError("not a JSON array")
                out.append((p, [e for e in events if isinstance(e, dict)]))
            except (OSError, ValueError) as exc:
                logger.error("tether: unreadable spool file %s (%s); renamed to .bad", p, exc)
                p.rename(p.with_suffix(".bad"))
        for tmp in self.dir.glob("*.tmp"):
            tmp.unlink(missing_ok=True)
        return out

    def write(self, body: bytes) -> Path:
        """Writes a new batch file; ``body``: the events as a JSON array."""
        self._n += 1
        path = self.dir / f"{time.time_ns():020d}-{os.getpid()}-{self._n:08d}.batch.json"
        self._write(path, body)
        return path

    def rewrite(self, path: Path, body: bytes) -> None:
        """Replaces a batch file's content with the events still undelivered (a JSON array)."""
        self._write(path, body)

    def _write(self, path: Path, data: bytes) -> None:
        tmp = path.with_suffix(".tmp")
        with open(tmp, "wb") as f:
            f.write(data)
            if self.fsync:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, path)
        if self.fsync and hasattr(os, "O_DIRECTORY"):
            fd = os.open(self.dir, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)

    def remove(self, path: Path) -> None:
        """Deletes a delivered batch file."""
        path.unlink(missing_ok=True)

    def close(self) -> None:
        """Releases the directory lock."""
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None
