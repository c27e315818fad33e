"""LangGraph integrations of Tether (install the ``langgraph`` extra: ``pip install 'tether-sdk[langgraph]'``).

- :class:`TetherStore` — LangGraph's ``BaseStore`` (long-term memory) on Tether's memory store.
"""

from .store import TetherStore

__all__ = ["TetherStore"]
