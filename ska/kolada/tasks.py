"""Background jobs for Kolada: the weekly refresh of every source (Celery beat) and one
source's refresh on request. Both are safe to run twice (``ska.kolada.services``)."""

from celery import shared_task

from ..celery_task import Task


@shared_task(name="ska.kolada_refresh_all", base=Task)
def refresh_all_task() -> int:
    from .services import refresh_all

    return refresh_all()


# A polite pace towards Kolada on each worker; the client also spaces its own requests.
@shared_task(name="ska.kolada_refresh_source", base=Task, rate_limit="2/s", soft_time_limit=300, time_limit=360)
def refresh_source_task(source_pk: int) -> str:
    from ..models import KoladaSource
    from .services import refresh_source

    source = KoladaSource.objects.filter(pk=source_pk).first()
    if source is None:
        return "gone"
    result = refresh_source(source)
    return result.error or f"{result.created} new, {result.revised} revised, {result.withdrawn} withdrawn"
