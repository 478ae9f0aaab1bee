"""Sealed envelopes (issue 13, point 2): an envelope opens only whole, unchanged and in its own place, with
its procedure's private key, which opens only with a key-encryption key that is not in the database."""

import base64
import dataclasses
import hashlib
import os
import struct

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from casacomuni.lib.sealing import (
    KeyEncryptionKey,
    SealedEnvelope,
    SealingError,
    TamperedEnvelope,
    WrappedPrivateKey,
    generate_kek_setting,
    kek_from_setting,
    kek_ring_from_setting,
    new_procedure_keys,
    open_envelope,
    rewrap_private_key,
    seal,
)

PROCEDURE = b"procedure:42"
OTHER_PROCEDURE = b"procedure:43"
ENVELOPE = b"procedure:42/bid:7/envelope:C"
BID = b"%PDF-1.7 offerta economica: ribasso 12,345 %"
# 32 bytes written as the setting writes them; the tests below check that errors never repeat it.
SECRET = base64.urlsafe_b64encode(bytes(range(32))).rstrip(b"=").decode()


# RSA-3072 key pairs take about 0.1 s each: made once for the module.
@pytest.fixture(scope="module")
def kek():
    return kek_from_setting(generate_kek_setting("2026-12"))


@pytest.fixture(scope="module")
def ring(kek):
    return {kek.key_id: kek}


@pytest.fixture(scope="module")
def keys(kek):
    return new_procedure_keys(kek, PROCEDURE)


@pytest.fixture(scope="module")
def other_keys(kek):
    return new_procedure_keys(kek, OTHER_PROCEDURE)


@pytest.fixture(scope="module")
def sealed(keys):
    return seal(BID, keys.public_key_pem, ENVELOPE)


def opened(sealed, keys, ring, context=ENVELOPE, key_context=PROCEDURE):
    return open_envelope(sealed, keys.wrapped_private_key, ring, context, key_context=key_context)


def flipped(data: bytes, index: int) -> bytes:
    """``data`` with one bit of the byte at ``index`` changed."""
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


def test_a_sealed_envelope_opens_to_its_plaintext(sealed, keys, ring):
    assert opened(sealed, keys, ring) == BID
    assert sealed.sha256 == hashlib.sha256(BID).hexdigest()
    assert BID not in sealed.to_bytes()


def test_the_stored_form_opens_like_the_envelope_also_from_a_postgresql_memoryview(sealed, keys, ring):
    stored = SealedEnvelope.from_bytes(memoryview(sealed.to_bytes()))
    stored_key = WrappedPrivateKey.from_bytes(memoryview(keys.wrapped_private_key.to_bytes()))
    assert stored == sealed
    assert stored_key == keys.wrapped_private_key
    assert open_envelope(stored, stored_key, ring, ENVELOPE, key_context=PROCEDURE) == BID


def test_the_stored_form_is_a_magic_a_version_then_each_part_after_its_length(sealed):
    parts = [sealed.wrapped_key, sealed.nonce, bytes.fromhex(sealed.sha256), sealed.ciphertext]
    assert sealed.to_bytes() == b"CCSEAL\x01" + b"".join(struct.pack(">I", len(p)) + p for p in parts)
    assert len(sealed.wrapped_key) == 3072 // 8
    assert len(sealed.ciphertext) == len(BID) + 16  # the GCM tag


@pytest.mark.parametrize("size", [0, 25 * 1024 * 1024], ids=["empty", "25 MB"])
def test_an_empty_file_and_a_file_of_the_largest_size_seal_and_open(keys, ring, size):
    plaintext = os.urandom(size)
    envelope = seal(plaintext, keys.public_key_pem, ENVELOPE)
    assert opened(envelope, keys, ring) == plaintext


def test_two_seals_of_the_same_plaintext_share_only_the_hash(keys):
    first, second = (seal(BID, keys.public_key_pem, ENVELOPE) for _ in range(2))
    assert first.wrapped_key != second.wrapped_key
    assert first.nonce != second.nonce
    assert first.ciphertext != second.ciphertext
    assert first.sha256 == second.sha256


@pytest.mark.parametrize("index", [0, -1], ids=["first byte", "last byte"])
@pytest.mark.parametrize("part", ["wrapped_key", "nonce", "ciphertext"])
def test_a_changed_byte_of_the_envelope_is_detected(sealed, keys, ring, part, index):
    value = getattr(sealed, part)
    changed = dataclasses.replace(sealed, **{part: flipped(value, index % len(value))})
    with pytest.raises(TamperedEnvelope):
        opened(changed, keys, ring)


def test_a_changed_hash_is_detected(sealed, keys, ring):
    changed = dataclasses.replace(sealed, sha256=flipped(bytes.fromhex(sealed.sha256), 31).hex())
    with pytest.raises(TamperedEnvelope, match="SHA-256"):
        opened(changed, keys, ring)


def test_no_single_bit_change_anywhere_in_the_stored_envelope_opens(keys, ring):
    stored = seal(b"12,345", keys.public_key_pem, ENVELOPE).to_bytes()
    for index in range(len(stored)):
        with pytest.raises(SealingError):
            opened(SealedEnvelope.from_bytes(flipped(stored, index)), keys, ring)


@pytest.mark.parametrize(
    "context",
    [b"procedure:42/bid:7/envelope:A", b"procedure:42/bid:8/envelope:C", b"procedure:43/bid:7/envelope:C"],
)
def test_an_envelope_opened_in_another_place_is_refused(sealed, keys, ring, context):
    with pytest.raises(TamperedEnvelope):
        opened(sealed, keys, ring, context=context)


def test_an_envelope_sealed_for_another_procedure_does_not_open_with_this_procedures_key(
    keys, other_keys, ring
):
    for_the_other = seal(BID, other_keys.public_key_pem, ENVELOPE)
    with pytest.raises(TamperedEnvelope):
        opened(for_the_other, keys, ring)


def test_a_wrapped_private_key_moved_to_another_procedure_does_not_open(sealed, keys, other_keys, ring):
    with pytest.raises(TamperedEnvelope, match="private key"):
        opened(sealed, keys, ring, key_context=OTHER_PROCEDURE)
    # Procedure 43's wrapped key copied into procedure 42's row.
    with pytest.raises(TamperedEnvelope, match="private key"):
        opened(sealed, other_keys, ring)


@pytest.mark.parametrize("part", ["nonce", "ciphertext"])
def test_a_changed_wrapped_private_key_is_detected(sealed, keys, ring, part):
    wrapped = keys.wrapped_private_key
    changed = dataclasses.replace(wrapped, **{part: flipped(getattr(wrapped, part), 0)})
    with pytest.raises(TamperedEnvelope, match="private key"):
        open_envelope(sealed, changed, ring, ENVELOPE, key_context=PROCEDURE)


def test_a_kek_with_the_right_id_but_another_secret_opens_nothing(sealed, keys, kek):
    impostor = KeyEncryptionKey(kek.key_id, os.urandom(32))
    with pytest.raises(TamperedEnvelope, match="another secret"):
        opened(sealed, keys, {kek.key_id: impostor})


def test_a_missing_kek_is_named_with_the_ones_configured(sealed, keys):
    newer = kek_from_setting(generate_kek_setting("2027-06"))
    with pytest.raises(
        SealingError, match=r"'2026-12', which is not configured \(configured: 2027-06\)"
    ) as error:
        opened(sealed, keys, {newer.key_id: newer})
    assert not isinstance(error.value, TamperedEnvelope)


@pytest.mark.parametrize("kept", [0, 3, 6, 7, 9, 200, -1])
def test_a_truncated_envelope_is_refused(sealed, kept):
    stored = sealed.to_bytes()
    with pytest.raises(SealingError, match="truncated"):
        SealedEnvelope.from_bytes(stored[: kept % len(stored)])


def test_bytes_after_the_end_of_an_envelope_are_refused(sealed):
    with pytest.raises(SealingError, match="1 unexpected bytes after its end"):
        SealedEnvelope.from_bytes(sealed.to_bytes() + b"\0")


def test_an_envelope_of_an_unknown_format_version_is_refused(sealed):
    stored = sealed.to_bytes()
    with pytest.raises(SealingError, match="format version 2, unknown here"):
        SealedEnvelope.from_bytes(stored[:6] + b"\x02" + stored[7:])


def test_other_bytes_are_not_read_as_an_envelope(keys):
    with pytest.raises(SealingError, match="not a sealed envelope"):
        SealedEnvelope.from_bytes(BID)
    with pytest.raises(SealingError, match="not a sealed envelope"):
        SealedEnvelope.from_bytes(keys.wrapped_private_key.to_bytes())
    with pytest.raises(SealingError, match="not a wrapped private key"):
        WrappedPrivateKey.from_bytes(seal(BID, keys.public_key_pem, ENVELOPE).to_bytes())


def test_a_damaged_stored_private_key_is_refused(keys):
    stored = keys.wrapped_private_key.to_bytes()
    with pytest.raises(SealingError, match="truncated"):
        WrappedPrivateKey.from_bytes(stored[:-1])
    with pytest.raises(SealingError, match="format version 9"):
        WrappedPrivateKey.from_bytes(stored[:6] + b"\x09" + stored[7:])


def test_a_rotated_kek_leaves_old_envelopes_openable_without_the_old_kek(sealed, keys, ring):
    new_kek = kek_from_setting(generate_kek_setting("2027-06"))
    rewrapped = rewrap_private_key(keys.wrapped_private_key, ring, new_kek, PROCEDURE)
    new_ring_only = {new_kek.key_id: new_kek}

    assert rewrapped.kek_id == "2027-06"
    assert open_envelope(sealed, rewrapped, new_ring_only, ENVELOPE, key_context=PROCEDURE) == BID
    sealed_after = seal(b"after the rotation", keys.public_key_pem, ENVELOPE)  # same public key
    assert open_envelope(sealed_after, rewrapped, new_ring_only, ENVELOPE, key_context=PROCEDURE) == (
        b"after the rotation"
    )
    with pytest.raises(SealingError, match="'2026-12', which is not configured"):
        opened(sealed, keys, new_ring_only)  # the row not yet rewrapped names the KEK it still needs


def test_rewrapping_needs_the_old_kek_and_the_procedures_own_context(keys, ring):
    new_kek = kek_from_setting(generate_kek_setting("2027-06"))
    with pytest.raises(TamperedEnvelope):
        rewrap_private_key(keys.wrapped_private_key, ring, new_kek, OTHER_PROCEDURE)
    with pytest.raises(SealingError, match="'2026-12', which is not configured"):
        rewrap_private_key(keys.wrapped_private_key, {new_kek.key_id: new_kek}, new_kek, PROCEDURE)


def test_a_rotation_to_a_key_with_the_same_id_is_refused(keys, ring):
    same_id = kek_from_setting(generate_kek_setting("2026-12"))
    with pytest.raises(SealingError, match="needs a new id, not '2026-12' again"):
        rewrap_private_key(keys.wrapped_private_key, ring, same_id, PROCEDURE)


def test_a_generated_kek_setting_reads_back_as_a_new_256_bit_key():
    setting = generate_kek_setting("2026-12")
    kek = kek_from_setting(setting)
    assert kek.key_id == "2026-12"
    assert len(kek.secret) == 32
    assert kek_from_setting(setting + "=\n") == kek  # padded, and with the newline of an env file
    assert kek_from_setting(generate_kek_setting("2026-12")).secret != kek.secret
    assert kek_from_setting(f"2026-12:{SECRET}").secret == bytes(range(32))


@pytest.mark.parametrize(
    "value, message",
    [
        (SECRET, "no ':' between its id and its secret"),
        (f":{SECRET}", "id must be 1 to 32 letters"),
        (f"2026 12:{SECRET}", "id must be 1 to 32 letters"),
        (f"{SECRET}:2026-12", "id must be 1 to 32 letters"),
        ("2026-12:", "must be 32 bytes in base64url"),
        (f"2026-12:{SECRET[:-1]}", "must be 32 bytes in base64url"),
        (f"2026-12:{SECRET}AAAA", "must be 32 bytes in base64url"),
        (f"2026-12:+/{SECRET[2:]}", "must be 32 bytes in base64url"),
    ],
    ids=[
        "no colon",
        "no id",
        "space in id",
        "secret and id swapped",
        "no secret",
        "short",
        "long",
        "not url-safe",
    ],
)
def test_a_bad_kek_setting_gets_a_clear_error_that_never_repeats_the_secret(value, message):
    with pytest.raises(SealingError, match=message) as error:
        kek_from_setting(value)
    assert SECRET[2:40] not in str(error.value)


def test_a_kek_ring_keeps_the_settings_order_and_refuses_what_is_not_a_list_of_distinct_keys():
    first, second = generate_kek_setting("2027-06"), generate_kek_setting("2026-12")
    assert list(kek_ring_from_setting([first, second])) == ["2027-06", "2026-12"]
    with pytest.raises(SealingError, match="No sealing key is configured"):
        kek_ring_from_setting([])
    with pytest.raises(SealingError, match="'2026-12' is given twice"):
        kek_ring_from_setting([second, generate_kek_setting("2026-12")])
    with pytest.raises(SealingError, match="not one string"):
        kek_ring_from_setting(first)


@pytest.mark.parametrize("secret", [b"", bytes(16), bytes(31), bytes(33), bytes(64), "x" * 32])
def test_a_key_encryption_key_is_exactly_32_bytes(secret):
    with pytest.raises(SealingError, match="must be exactly 32 bytes"):
        KeyEncryptionKey("2026-12", secret)


def test_a_kek_never_shows_its_secret_in_its_repr():
    kek = KeyEncryptionKey("2026-12", b"S" * 32)
    assert "SSSS" not in repr(kek)
    assert "2026-12" in repr(kek)


def test_the_procedure_keys_hold_a_public_rsa_3072_key_and_no_private_key_in_clear(keys, kek):
    stored = [getattr(keys, f.name) for f in dataclasses.fields(keys)] + [
        keys.wrapped_private_key.to_bytes(),
        keys.wrapped_private_key.ciphertext,
        repr(keys).encode(),
    ]
    for value in stored:
        assert b"PRIVATE KEY" not in (value.to_bytes() if isinstance(value, WrappedPrivateKey) else value)
    assert serialization.load_pem_public_key(keys.public_key_pem).key_size == 3072
    assert keys.kek_id == kek.key_id == "2026-12"


def other_public_key(kind: str) -> bytes:
    if kind == "not a key":
        return b"-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n"
    if kind == "Ed25519":
        key = ed25519.Ed25519PrivateKey.generate().public_key()
    else:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


@pytest.mark.parametrize("kind", ["not a key", "Ed25519", "RSA-2048"])
def test_sealing_refuses_a_key_that_is_not_an_rsa_3072_public_key(kind):
    with pytest.raises(SealingError, match="public key"):
        seal(BID, other_public_key(kind), ENVELOPE)


def test_sealing_and_opening_refuse_an_empty_context(sealed, keys, kek, ring):
    with pytest.raises(SealingError, match="A context is needed"):
        seal(BID, keys.public_key_pem, b"")
    with pytest.raises(SealingError, match="A context is needed"):
        new_procedure_keys(kek, b"")
    with pytest.raises(SealingError, match="A context is needed"):
        opened(sealed, keys, ring, key_context=b"")
    with pytest.raises(SealingError, match="A context is needed"):
        opened(sealed, keys, ring, context="procedure:42/bid:7/envelope:C")


def test_an_envelope_forged_with_a_128_bit_data_key_is_refused(keys, ring):
    # Built by hand as seal() builds it (RSA-OAEP-SHA256 with the context as label, AES-GCM with the
    # context as associated data), but with a shorter key: whatever the sender, a data key is 256 bits.
    data_key, nonce = AESGCM.generate_key(bit_length=128), os.urandom(12)
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=ENVELOPE)
    forged = SealedEnvelope(
        wrapped_key=serialization.load_pem_public_key(keys.public_key_pem).encrypt(data_key, oaep),
        nonce=nonce,
        ciphertext=AESGCM(data_key).encrypt(nonce, BID, ENVELOPE),
        sha256=hashlib.sha256(BID).hexdigest(),
    )
    with pytest.raises(TamperedEnvelope):
        opened(forged, keys, ring)
