"""LangGraph persistence on Tether: :class:`TetherSaver`, a checkpointer that keeps each thread as a Tether session.

Needs the ``langgraph`` extra (``pip install 'tether-sdk[langgraph]'``). See docs/langgraph.md.
"""

from .checkpoint import TetherSaver

__all__ = ["TetherSaver"]
