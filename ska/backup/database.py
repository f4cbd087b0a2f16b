"""The database part of a backup: PostgreSQL through pg_dump/pg_restore, SQLite through its
online backup API. Both work on Django's ``default`` database as configured in DATABASES."""

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

POSTGRESQL = "postgresql"
SQLITE = "sqlite"
PART_NAMES = {POSTGRESQL: "database.dump", SQLITE: "database.sqlite3"}

# libpq reads these from the environment, so nothing but the database's name is ever put on a
# command line (where other users of the host could read it).
_LIBPQ_OPTIONS = ("sslmode", "sslrootcert", "sslcert", "sslkey", "sslpassword", "passfile", "service", "connect_timeout")

# A table, view or the like in the table of contents `pg_restore --list` prints, e.g.
# "215; 1259 16390 TABLE public ska_user ska" (its data is listed as "TABLE DATA public ...").
_TOC_RELATION = re.compile(r"^\d+; \d+ \d+ (?:TABLE|VIEW|MATERIALIZED VIEW|FOREIGN TABLE) public (\S+) ", re.MULTILINE)


class DatabaseToolError(Exception):
    """pg_dump or pg_restore is missing or failed."""


def vendor() -> str:
    if connection.vendor not in PART_NAMES:
        raise DatabaseToolError(f"Backups support PostgreSQL and SQLite, not {connection.vendor}.")
    return connection.vendor


def server_version() -> str:
    connection.ensure_connection()
    if connection.vendor == POSTGRESQL:
        return str(connection.pg_version)
    return sqlite3.sqlite_version


def table_names() -> list[str]:
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor)


def applied_migrations() -> dict[str, str]:
    """The latest applied migration of each app, as recorded in the database."""
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        if name > latest.get(app, ""):
            latest[app] = name
    return dict(sorted(latest.items()))


def code_migrations() -> dict[str, str]:
    """The latest migration of each app in this version of the code."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    latest: dict[str, str] = {}
    for app, name in loader.graph.leaf_nodes():
        if name > latest.get(app, ""):
            latest[app] = name
    return dict(sorted(latest.items()))


def dump(target: Path) -> None:
    """Write a consistent copy of the whole database to ``target``."""
    if vendor() == POSTGRESQL:
        _run([_tool("pg_dump"), "--format=custom", "--no-password", f"--file={target}"])
    else:
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)
        finally:
            copy.close()


def restore(source: Path, *, replace: bool) -> None:
    """Load ``source`` into the configured database. PostgreSQL restores in one transaction:
    either everything is in place afterwards or nothing has changed. With ``replace``, the
    objects the backup holds are dropped first (SQLite's copy always replaces the whole file)."""
    if vendor() == POSTGRESQL:
        connection.close()  # no session of ours may hold a lock on a table being replaced
        command = [_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                   "--no-password", f"--dbname={connection.settings_dict['NAME']}"]
        if replace:
            command += ["--clean", "--if-exists"]
        _run([*command, str(source)])
    else:
        copy = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            connection.ensure_connection()
            copy.backup(connection.connection)
        finally:
            copy.close()
            connection.close()


def tables_left_behind(source: Path) -> list[str]:
    """The tables of the database that restoring ``source`` over it would not replace.

    pg_restore's ``--clean`` drops only what the backup holds: a table the backup lacks (one of
    a newer version's migrations, say) would stay, and the next ``migrate`` would fail on it.
    SQLite's copy replaces the whole file, so nothing is ever left behind there."""
    if vendor() != POSTGRESQL:
        return []
    in_backup = set(_TOC_RELATION.findall(_run([_tool("pg_restore"), "--list", str(source)])))
    return sorted(set(table_names()) - in_backup)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise DatabaseToolError(
            f"{name} was not found. Install the PostgreSQL client tools of the server's major version (or newer)."
        )
    return path


def _run(command: list[str]) -> str:
    result = subprocess.run(command, env=_libpq_environment(), capture_output=True, text=True)
    if result.returncode != 0:
        tool = Path(command[0]).name
        raise DatabaseToolError(f"{tool} failed (exit status {result.returncode}): {result.stderr.strip()}")
    return result.stdout


def _libpq_environment() -> dict[str, str]:
    """The connection settings of DATABASES as libpq environment variables; the password
    goes in PGPASSWORD, never on the command line. Any PG* variable the process inherited is
    dropped first: only DATABASES decides which server and database the tools reach."""
    settings = connection.settings_dict
    env = {name: value for name, value in os.environ.items() if not name.startswith("PG")}
    for variable, value in (
        ("PGDATABASE", settings.get("NAME")),
        ("PGHOST", settings.get("HOST")),
        ("PGPORT", settings.get("PORT")),
        ("PGUSER", settings.get("USER")),
        ("PGPASSWORD", settings.get("PASSWORD")),
    ):
        if value:
            env[variable] = str(value)
    for option in _LIBPQ_OPTIONS:
        if settings.get("OPTIONS", {}).get(option):
            env[f"PG{option.upper()}"] = str(settings["OPTIONS"][option])
    return env
