"""Background tasks of the inbox: the daily digest (enqueued each morning by cron through
``casacomuni inbox_digest``)."""

from django.tasks import task

from casacomuni.inbox import services


@task
def send_digests() -> int:
    """E-mail each user the notices waiting for their digest (``services.send_digests``)."""
    return services.send_digests()
