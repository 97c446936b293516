"""One writer at a time across threads and processes, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select


def serialise(s: Session, lock_key: int) -> None:
    """Make this transaction the only one holding `lock_key` until it commits.

    PostgreSQL: a transaction-scoped advisory lock on the key. SQLite: BEGIN IMMEDIATE takes the
    database write lock before anything is read, so a second writer (thread or process) waits
    (busy timeout) and then reads what the first one left."""
    conn = s.connection()
    if conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(lock_key)))
    elif conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
