"""LangGraph persistence on Tether (install the ``langgraph`` extra: ``pip install 'tether-sdk[langgraph]'``).

- :class:`TetherSaver` — a checkpointer (``BaseCheckpointSaver``) that keeps each thread as a Tether session.
- :class:`TetherStore` — LangGraph's ``BaseStore`` (long-term memory) on Tether's memory store.

See docs/langgraph.md and docs/memory.md.
"""

from .checkpoint import TetherSaver
from .store import TetherStore

__all__ = ["TetherSaver", "TetherStore"]
