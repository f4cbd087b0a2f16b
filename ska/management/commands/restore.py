from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ska.backup import BackupError, backup_inspect, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into the configured database and MEDIA_ROOT. "
        "Every checksum is verified before anything is written; a database that already holds tables "
        "is replaced only with --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", help="The backup file (ska-backup-….tar).")
        parser.add_argument(
            "--force", action="store_true",
            help="Replace what the database and MEDIA_ROOT already hold.",
        )
        parser.add_argument(
            "--check", action="store_true",
            help="Only verify the backup's checksums and show its manifest; write nothing.",
        )

    def handle(self, *args, backup, force, check, **options):
        try:
            if check:
                manifest = backup_inspect(Path(backup))
                self._describe(manifest)
                self.stdout.write(self.style.SUCCESS(f"{backup} is intact: every checksum matches."))
                return
            result = backup_restore(Path(backup), force=force)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self._describe(result.manifest)
        for note in result.notes:
            self.stdout.write(self.style.WARNING(note))
        self.stdout.write(self.style.SUCCESS(f"Restored {backup}."))

    def _describe(self, manifest):
        self.stdout.write(
            f"Backup of {manifest['created_at']}, SKA {manifest['app_version']}, "
            f"{manifest['database']['vendor']} database with {manifest['database']['tables']} tables, "
            f"parts: {', '.join(sorted(manifest['parts']))}."
        )
