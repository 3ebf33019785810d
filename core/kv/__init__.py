"""A small key-value store in the database for state front ends keep between restarts.

Values are JSON; a (namespace, key) pair names one value. The bot keeps its
conversation state here (bot/persistence.py), so it works on PostgreSQL and
survives a restart. Nothing here knows what the values mean.
"""

from core.kv.store import delete, get_namespace, set_value

__all__ = ["delete", "get_namespace", "set_value"]
