"""Serve the fake Kolada in the foreground, so SKA can be run and shown without the internet."""

import threading

from django.core.management.base import BaseCommand, CommandError

from ska.kolada.fake import FakeKolada


class Command(BaseCommand):
    help = (
        "Serve a fake Kolada (REST API v3) with a small recorded dataset (the demo municipality "
        "Ekvalla, 1299, its school units, groups of similar municipalities and the country) "
        "until stopped with Ctrl-C. Set KOLADA_URL to the address it prints."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8766, help="Port to listen on (default: 8766).")
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default: 127.0.0.1).")

    def handle(self, *args, port, host, **options):
        fake = FakeKolada()
        try:
            url = fake.start(port=port, host=host)
        except OSError as error:
            raise CommandError(f"Cannot listen on {host}:{port}: {error}") from error
        self.stdout.write(self.style.SUCCESS(f"Fake Kolada serving at {url}"))
        self.stdout.write(f"Run SKA with KOLADA_URL={url} to use it. Stop with Ctrl-C.")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
        finally:
            fake.stop()
