"""The key-encryption keys of the sealed envelopes, read from the settings (docs/sealing.md), and each
procedure's key pair, made when the first document of a bid is sealed."""

import os
from functools import cache

from django.conf import settings
from django.db import IntegrityError, transaction

from casacomuni.lib import sealing
from casacomuni.procurement.bidding.models import ProcedureKey
from casacomuni.procurement.procedures.models import Procedure


def kek_ring() -> dict[str, sealing.KeyEncryptionKey]:
    """The configured keys by id, the current one first: ``CASACOMUNI_SEALING_KEYS`` or else the key file."""
    values = settings.CASACOMUNI_SEALING_KEYS or [
        _key_file_setting(str(settings.CASACOMUNI_SEALING_KEY_FILE))
    ]
    return _ring(tuple(values))


def current_kek() -> sealing.KeyEncryptionKey:
    return next(iter(kek_ring().values()))


def procedure_context(procedure_id: int) -> bytes:
    return f"procedure:{procedure_id}".encode()


def key_of(procedure: Procedure) -> ProcedureKey:
    """The procedure's key pair, made once; two first bids at the same moment get the same one."""
    existing = ProcedureKey.objects.filter(procedure=procedure).first()
    if existing is not None:
        return existing
    keys = sealing.new_procedure_keys(current_kek(), procedure_context(procedure.pk))
    try:
        with transaction.atomic():
            return ProcedureKey.objects.create(
                procedure=procedure,
                public_key=keys.public_key_pem,
                wrapped_private_key=keys.wrapped_private_key.to_bytes(),
                kek_id=keys.kek_id,
            )
    except IntegrityError:
        return ProcedureKey.objects.get(procedure=procedure)


@cache
def _ring(values: tuple[str, ...]) -> dict[str, sealing.KeyEncryptionKey]:
    return sealing.kek_ring_from_setting(list(values))


def _key_file_setting(path: str) -> str:
    """The development key: read from ``path``, made there (readable by this user only) the first time."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        with open(path, encoding="ascii") as existing:
            return existing.read().strip()
    with os.fdopen(descriptor, "w", encoding="ascii") as created:
        created.write(sealing.generate_kek_setting("local") + "\n")
    with open(path, encoding="ascii") as written:
        return written.read().strip()
