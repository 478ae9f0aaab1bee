"""Background tasks of the documents app, run by the task worker (``casacomuni db_worker``)."""

from django.tasks import task

from casacomuni.documents import services


@task
def purge_pending_uploads() -> int:
    """Delete the files users left in forms they abandoned more than a day ago. Returns how many."""
    return services.purge_stale_uploads()
