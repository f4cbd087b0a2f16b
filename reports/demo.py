"""The demo municipality's quality reports: templates, unit reports in every state."""


def seed_demo_reports(administration, committee) -> None:
    """Idempotent, like the rest of the demo."""
