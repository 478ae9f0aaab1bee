"""Running untrusted work (filling in an uploaded template) within a time and a memory limit.

The work runs in a child process forked from this one: it shares the loaded code (no start-up cost beyond
the fork), cannot slow the server past ``CASACOMUNI_TEMPLATE_FILL_SECONDS`` (it is killed), and cannot take
more than ``CASACOMUNI_TEMPLATE_FILL_MEMORY_MB`` beyond what the server had when it forked (its address
space is capped). The work must not touch the database: the child shares the parent's connections.
"""

import multiprocessing
import resource
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

FORK = multiprocessing.get_context("fork")


class LimitExceeded(ValueError):
    """The work took too long or needed too much memory; ``message`` says which, in the user's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def run_limited(function, *args):
    """``function(*args)`` in a child process within the limits; its result, or the exception it raised.

    Raises:
        LimitExceeded: the time ran out, or the memory did.
        Exception: whatever ``function`` raised (it must be picklable, as Django's and our errors are).
    """
    seconds = settings.CASACOMUNI_TEMPLATE_FILL_SECONDS
    receiver, sender = FORK.Pipe(duplex=False)
    child = FORK.Process(target=_run_child, args=(sender, function, args), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise LimitExceeded(
                _("Filling in the template takes too long (more than %(seconds)s seconds).")
                % {"seconds": seconds}
            )
        try:
            outcome, value = receiver.recv()
        except EOFError as error:  # the child died without a word: killed for its memory
            raise LimitExceeded(_("Filling in the template needs too much memory.")) from error
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()
    if outcome == "error":
        raise value
    return value


def _run_child(sender, function, args) -> None:
    _cap_memory(settings.CASACOMUNI_TEMPLATE_FILL_MEMORY_MB * 1024 * 1024)
    try:
        message = ("ok", function(*args))
    except MemoryError:
        message = ("error", LimitExceeded(_("Filling in the template needs too much memory.")))
    except Exception as error:  # handed to the parent, which raises it
        message = ("error", error)
    sender.send(message)
    sender.close()


def _cap_memory(extra_bytes: int) -> None:
    """Cap the address space at its present size plus ``extra_bytes`` (Linux: /proc; elsewhere no cap)."""
    statm = Path("/proc/self/statm")
    if not statm.exists():
        return
    current = int(statm.read_text().split()[0]) * resource.getpagesize()
    limit = current + extra_bytes
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
