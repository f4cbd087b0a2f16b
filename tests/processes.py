"""What tests that start processes of their own (a worker, gunicorn, redis-server) share: the
test database's address for them, a free loopback port, and stopping a process for sure."""

from __future__ import annotations

import socket
import subprocess

from django.db import connection


def database_url(name: str | None = None, *, port: int | None = None) -> str:
    """The test database as DATABASE_URL, for a child process; ``name`` picks another database
    (or SQLite file) on the same server, ``port`` another port on loopback (a proxy, say)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{name or db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    host = "127.0.0.1" if port else db["HOST"] or "127.0.0.1"
    return f"postgres://{auth}@{host}:{port or db['PORT'] or 5432}/{name or db['NAME']}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop(process: subprocess.Popen, timeout: float = 15) -> None:
    """Ask the process to end; kill it if it has not within ``timeout`` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
