"""Backing up and restoring an installation: the database and the uploaded files.

A backup is one tar file (``archive.py``) holding a manifest and its parts:

- ``database.dump``: PostgreSQL's custom format from ``pg_dump``, or ``database.sqlite3``: a copy
  made with SQLite's online backup API (``database.py``);
- ``media.tar``: everything under ``MEDIA_ROOT`` when files are stored locally (``media.py``).
  With S3 storage the files stay in the bucket, kept by its versioning and replication instead.

Restoring checks every part against the manifest's SHA-256 checksums before it writes anything,
and refuses a database that already holds tables unless told to replace them.
"""

from .archive import BackupError, backup_create, backup_inspect, backup_restore

__all__ = ["BackupError", "backup_create", "backup_inspect", "backup_restore"]
