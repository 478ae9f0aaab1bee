"""Sealed envelopes: bids encrypted at rest until the commission opens them (issue 13, point 2).

Directive 2014/24/EU, Annex IV, asks of the tools that receive tenders (D.Lgs. 36/2023 art. 25: the
certified digital platforms) that nobody can reach a tender's data before the time set (b) and that any
breach or attempt is clearly detectable (g). This module is the cryptography of it, with no Django in it;
the procurement app decides who may call ``open_envelope`` and when. docs/sealing.md explains the keys for
operators of the platform and the rotation procedure.

**Three keys.**

1. A *data key* per envelope: 256 random bits, used once, with AES-256-GCM (random 96-bit nonce). The
   envelope's *context* (``b"procedure:42/bid:7/envelope:C"``) is its associated data, so an envelope copied
   onto another bid or another envelope letter does not open there.
2. A *procedure key pair*, RSA-3072. The public key (PEM) is stored in clear and wraps each data key with
   RSA-OAEP-SHA256, whose label is again the envelope's context. The private key is stored only wrapped.
3. A *key-encryption key* (KEK), 256 bits, which is never in the database: it comes from the setting
   ``CASACOMUNI_SEALING_KEYS`` (``"id:base64url"``). It wraps the procedure's private key with AES-256-GCM;
   the associated data names the KEK's id and the procedure's context (``b"procedure:42"``), so a wrapped
   private key moved to another procedure does not open. The id is stored with the wrapped key, so that KEKs
   can be rotated: ``rewrap_private_key`` rewraps the same private key under a new KEK, and every envelope
   already sealed stays openable.

So a database dump, a backup or an administrator reading the tables sees ciphertext only; opening needs the
database *and* the KEK.

**Why RSA-OAEP rather than X25519 + HKDF + AES-GCM.** RSA-OAEP (RFC 8017) is one standard primitive that
wraps the data key by itself: no key agreement, key derivation and second AEAD to compose by hand. OpenSSL,
HSMs and smart cards (PKCS#11, label included) all implement it, so a procedure's private key could later
move to an HSM or to a commissioner's card without changing what is stored. RSA-3072 gives about 128 bits of security (NIST SP 800-57). What it costs is small here: a
key pair takes about 0.1 s to generate, once per procedure, and a wrapped data key is 384 bytes per
envelope. The format is versioned (a magic, a version byte, lengths), so a later scheme (RFC 9180 HPKE,
post-quantum hybrid) can be added as version 2 beside this one.

**What it does not protect.** Anyone may seal with a public key, so sealing says nothing about who sealed:
a whole envelope replaced by another is detected by comparing its SHA-256 with the one printed on the
receipt and recorded in the audit trail. The SHA-256 of the plaintext is stored in clear, and the length of
the ciphertext is the length of the plaintext: for a signed file nobody can guess, they reveal nothing, but
for a short guessable content (a discount typed in a form) they would reveal it. Such content must be
sealed with randomness in it (a random field of at least 128 bits) and, if its length varies, padded.

**In memory.** Files are at most 25 MB, so an envelope is sealed and opened in memory (AES-GCM in one call),
not streamed.
"""

import base64
import hashlib
import hmac
import re
import secrets
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain

from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

RSA_KEY_BITS = 3072
KEY_BYTES = 32  # AES-256 data keys and KEKs
NONCE_BYTES = 12  # the 96-bit nonce GCM is designed for (NIST SP 800-38D)
GCM_TAG_BYTES = 16
FORMAT_VERSION = 1
ENVELOPE_MAGIC = b"CCSEAL"
WRAPPED_KEY_MAGIC = b"CCSKEY"
# Separates what the KEK wraps from anything else a 256-bit key might ever be used for.
_PRIVATE_KEY_PURPOSE = b"casacomuni.sealing.private-key"
# At most 32 characters: a 43-character secret written where the id goes is refused, never echoed.
_KEY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")
# 32 bytes in base64url are 43 characters, with one optional "=" of padding.
_SECRET_BASE64URL = re.compile(r"[A-Za-z0-9_-]{43}=?")
_SETTING_HELP = "write each key as 'id:secret', e.g. the output of generate_kek_setting('2026-12')"


class SealingError(Exception):
    """An envelope or a key cannot be used: malformed, unknown format, missing KEK, bad setting."""


class TamperedEnvelope(SealingError):
    """An envelope or a wrapped private key does not open: some part of it was changed, or it belongs to
    another context. No plaintext is ever returned in that case."""


@dataclass(frozen=True)
class KeyEncryptionKey:
    """A 256-bit key that wraps procedures' private keys; it lives in the settings, never in the database."""

    key_id: str
    secret: bytes = field(repr=False)  # never in a log or a traceback

    def __post_init__(self) -> None:
        _check_key_id(self.key_id)
        if not isinstance(self.secret, bytes) or len(self.secret) != KEY_BYTES:
            size = (
                f"{len(self.secret)} bytes" if isinstance(self.secret, bytes) else type(self.secret).__name__
            )
            raise SealingError(
                f"The key-encryption key {self.key_id!r} must be exactly {KEY_BYTES} bytes (256 bits), not {size}."
            )


@dataclass(frozen=True)
class WrappedPrivateKey:
    """A procedure's private key (PKCS#8 DER) encrypted with AES-256-GCM under the KEK ``kek_id``."""

    kek_id: str
    nonce: bytes
    ciphertext: bytes

    def __post_init__(self) -> None:
        _check_key_id(self.kek_id)
        _check_nonce(self.nonce)

    def to_bytes(self) -> bytes:
        return _pack(WRAPPED_KEY_MAGIC, self.kek_id.encode("ascii"), self.nonce, self.ciphertext)

    @classmethod
    def from_bytes(cls, data: bytes | memoryview) -> "WrappedPrivateKey":
        kek_id, nonce, ciphertext = _unpack(WRAPPED_KEY_MAGIC, data, 3, "wrapped private key")
        try:
            return cls(kek_id.decode("ascii"), nonce, ciphertext)
        except UnicodeDecodeError:
            raise SealingError("The wrapped private key names a KEK id that is not ASCII.") from None


@dataclass(frozen=True)
class ProcedureKeys:
    """What a procedure stores: its public key in clear, its private key only wrapped."""

    public_key_pem: bytes
    wrapped_private_key: WrappedPrivateKey

    @property
    def kek_id(self) -> str:
        return self.wrapped_private_key.kek_id


@dataclass(frozen=True)
class SealedEnvelope:
    """An encrypted envelope: the data key wrapped with the procedure's public key, the AES-256-GCM
    nonce and ciphertext (tag included), and the SHA-256 of the plaintext in hex, as the receipt prints it."""

    wrapped_key: bytes
    nonce: bytes
    ciphertext: bytes
    sha256: str

    def __post_init__(self) -> None:
        _check_nonce(self.nonce)
        if len(self.ciphertext) < GCM_TAG_BYTES:
            raise SealingError("The envelope's ciphertext is shorter than its authentication tag.")
        if not re.fullmatch(r"[0-9a-f]{64}", self.sha256):
            raise SealingError("The envelope's SHA-256 must be 64 lowercase hexadecimal digits.")

    def to_bytes(self) -> bytes:
        """One blob for a file or a BinaryField: magic, version, then each part after its length."""
        return _pack(
            ENVELOPE_MAGIC, self.wrapped_key, self.nonce, bytes.fromhex(self.sha256), self.ciphertext
        )

    @classmethod
    def from_bytes(cls, data: bytes | memoryview) -> "SealedEnvelope":
        """Reads ``to_bytes``'s blob; a memoryview is accepted, as PostgreSQL's BinaryField gives one."""
        wrapped_key, nonce, digest, ciphertext = _unpack(ENVELOPE_MAGIC, data, 4, "sealed envelope")
        if len(digest) != hashlib.sha256().digest_size:
            raise SealingError("The sealed envelope's SHA-256 is not 32 bytes long.")
        return cls(wrapped_key, nonce, ciphertext, digest.hex())


def new_procedure_keys(kek: KeyEncryptionKey, context: bytes) -> ProcedureKeys:
    """A new RSA-3072 key pair for the procedure ``context`` (``b"procedure:42"``), its private key
    wrapped under ``kek`` and bound to ``context``."""
    _check_context(context)
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_KEY_BITS)
    public_key_pem = private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    private_key_der = private_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return ProcedureKeys(public_key_pem, _wrap_private_key(private_key_der, kek, context))


def seal(plaintext: bytes, public_key_pem: bytes, context: bytes) -> SealedEnvelope:
    """``plaintext`` encrypted under a fresh data key, which is wrapped with the procedure's public key;
    ``context`` (``b"procedure:42/bid:7/envelope:C"``) binds both to this one envelope.

    Raises:
        SealingError: the context is empty, or the key is not an RSA public key of 3072 bits or more.
    """
    _check_context(context)
    public_key = _load_public_key(public_key_pem)
    data_key = AESGCM.generate_key(bit_length=KEY_BYTES * 8)
    nonce = secrets.token_bytes(NONCE_BYTES)
    return SealedEnvelope(
        wrapped_key=public_key.encrypt(data_key, _oaep(context)),
        nonce=nonce,
        ciphertext=AESGCM(data_key).encrypt(nonce, plaintext, context),
        sha256=hashlib.sha256(plaintext).hexdigest(),
    )


def open_envelope(
    sealed: SealedEnvelope,
    wrapped_private_key: WrappedPrivateKey,
    kek_ring: Mapping[str, KeyEncryptionKey],
    context: bytes,
    *,
    key_context: bytes,
) -> bytes:
    """The plaintext of ``sealed``, which must have been sealed for ``context`` with the public key of the
    procedure whose private key is ``wrapped_private_key``, bound to ``key_context`` (``b"procedure:42"``).

    Raises:
        TamperedEnvelope: any part of the envelope or of the wrapped private key was changed, or either
            belongs to another context; the plaintext's SHA-256 differs from the recorded one.
        SealingError: the KEK that wrapped the private key is not in ``kek_ring``.
    """
    _check_context(context)
    private_key = _load_private_key(_unwrap_private_key(wrapped_private_key, kek_ring, key_context))
    try:
        data_key = private_key.decrypt(sealed.wrapped_key, _oaep(context))
        if len(data_key) != KEY_BYTES:
            raise ValueError("not a 256-bit data key")
        plaintext = AESGCM(data_key).decrypt(sealed.nonce, sealed.ciphertext, context)
    except (ValueError, InvalidTag):
        raise TamperedEnvelope(
            f"The envelope does not open in context {context!r}: its wrapped key, nonce or ciphertext was "
            "changed, or it was sealed for another envelope or another procedure."
        ) from None
    if not hmac.compare_digest(hashlib.sha256(plaintext).digest(), bytes.fromhex(sealed.sha256)):
        raise TamperedEnvelope(
            f"The envelope in context {context!r} does not match its recorded SHA-256: the hash was changed."
        )
    return plaintext


def rewrap_private_key(
    wrapped: WrappedPrivateKey,
    old_ring: Mapping[str, KeyEncryptionKey],
    new_kek: KeyEncryptionKey,
    context: bytes,
) -> WrappedPrivateKey:
    """The same private key wrapped under ``new_kek`` instead: for a KEK rotation. The key pair does not
    change, so every envelope sealed with its public key stays openable.

    Raises:
        TamperedEnvelope: ``wrapped`` does not open in ``context``.
        SealingError: the KEK that wrapped it is not in ``old_ring``, or ``new_kek`` has the same id (one id
            naming two secrets would make the rows not yet rewrapped look tampered with).
    """
    if new_kek.key_id == wrapped.kek_id:
        raise SealingError(f"The new key-encryption key needs a new id, not {new_kek.key_id!r} again.")
    return _wrap_private_key(_unwrap_private_key(wrapped, old_ring, context), new_kek, context)


def kek_from_setting(value: str) -> KeyEncryptionKey:
    """The KEK written ``"id:secret"``, the secret being 32 bytes in base64url (``generate_kek_setting``).
    Errors never repeat the secret, which would put it in a log."""
    key_id, separator, encoded = value.strip().partition(":")
    if not separator:
        raise SealingError(f"A sealing key has no ':' between its id and its secret: {_SETTING_HELP}.")
    _check_key_id(key_id)
    if not _SECRET_BASE64URL.fullmatch(encoded):
        raise SealingError(
            f"The secret of sealing key {key_id!r} must be {KEY_BYTES} bytes in base64url (43 characters "
            f"among A-Z, a-z, 0-9, '-' and '_'): {_SETTING_HELP}."
        )
    return KeyEncryptionKey(key_id, base64.urlsafe_b64decode(encoded.rstrip("=") + "="))


def kek_ring_from_setting(values: Sequence[str]) -> dict[str, KeyEncryptionKey]:
    """The KEKs of the setting by id, in the setting's order (the first is the one new keys are wrapped
    under, docs/sealing.md)."""
    if isinstance(values, str):
        raise SealingError(f"The sealing keys must be a list of keys, not one string: {_SETTING_HELP}.")
    if not values:
        raise SealingError(f"No sealing key is configured: {_SETTING_HELP}.")
    ring: dict[str, KeyEncryptionKey] = {}
    for value in values:
        kek = kek_from_setting(value)
        if kek.key_id in ring:
            raise SealingError(f"The sealing key id {kek.key_id!r} is given twice; each id names one key.")
        ring[kek.key_id] = kek
    return ring


def generate_kek_setting(key_id: str) -> str:
    """A new random KEK written for the setting: ``"<key_id>:<43 base64url characters>"``."""
    _check_key_id(key_id)
    secret = base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).rstrip(b"=").decode("ascii")
    return f"{key_id}:{secret}"


def _wrap_private_key(private_key_der: bytes, kek: KeyEncryptionKey, context: bytes) -> WrappedPrivateKey:
    _check_context(context)
    nonce = secrets.token_bytes(NONCE_BYTES)
    ciphertext = AESGCM(kek.secret).encrypt(nonce, private_key_der, _private_key_aad(kek.key_id, context))
    return WrappedPrivateKey(kek.key_id, nonce, ciphertext)


def _unwrap_private_key(
    wrapped: WrappedPrivateKey, kek_ring: Mapping[str, KeyEncryptionKey], context: bytes
) -> bytes:
    _check_context(context)
    kek = kek_ring.get(wrapped.kek_id)
    if kek is None:
        known = ", ".join(sorted(kek_ring)) or "none"
        raise SealingError(
            f"The private key is wrapped under the key-encryption key {wrapped.kek_id!r}, which is not "
            f"configured (configured: {known}). Put it back in CASACOMUNI_SEALING_KEYS (docs/sealing.md)."
        )
    try:
        return AESGCM(kek.secret).decrypt(
            wrapped.nonce, wrapped.ciphertext, _private_key_aad(kek.key_id, context)
        )
    except InvalidTag:
        raise TamperedEnvelope(
            f"The private key wrapped under {wrapped.kek_id!r} does not open in context {context!r}: it was "
            "changed, it belongs to another procedure, or the KEK with this id has another secret."
        ) from None


def _load_private_key(private_key_der: bytes) -> rsa.RSAPrivateKey:
    # The key's validation (about 0.1 s) is skipped: these bytes were authenticated by AES-GCM under the
    # KEK, so they are exactly the key new_procedure_keys generated.
    key = serialization.load_der_private_key(
        private_key_der, password=None, unsafe_skip_rsa_key_validation=True
    )
    if not isinstance(key, rsa.RSAPrivateKey):
        raise SealingError("The procedure's private key is not an RSA key.")
    return key


def _load_public_key(public_key_pem: bytes) -> rsa.RSAPublicKey:
    try:
        key = serialization.load_pem_public_key(public_key_pem)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise SealingError("The procedure's public key is not a public key in PEM.") from None
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < RSA_KEY_BITS:
        raise SealingError(f"The procedure's public key must be an RSA key of {RSA_KEY_BITS} bits or more.")
    return key


def _oaep(context: bytes) -> padding.OAEP:
    return padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=context)


def _private_key_aad(kek_id: str, context: bytes) -> bytes:
    # A key id has no NUL (_KEY_ID), so the three parts cannot be read another way.
    return b"\0".join((_PRIVATE_KEY_PURPOSE, kek_id.encode("ascii"), context))


def _check_context(context: bytes) -> None:
    if not isinstance(context, bytes) or not context:
        raise SealingError("A context is needed, as bytes: e.g. b'procedure:42/bid:7/envelope:C'.")


def _check_key_id(key_id: str) -> None:
    if not isinstance(key_id, str) or not _KEY_ID.fullmatch(key_id):
        raise SealingError(
            "A key-encryption key's id must be 1 to 32 letters, digits, '.', '_' or '-', starting with a "
            "letter or digit (e.g. '2026-12')."
        )


def _check_nonce(nonce: bytes) -> None:
    if len(nonce) != NONCE_BYTES:
        raise SealingError(f"A nonce must be {NONCE_BYTES} bytes, not {len(nonce)}.")


def _pack(magic: bytes, *parts: bytes) -> bytes:
    """``magic``, the format version, then each part after its length (4 bytes, big-endian)."""
    lengths = [struct.pack(">I", len(part)) for part in parts]
    # Joined once, without concatenating each part to its length first: a part may be 25 MB.
    return b"".join([magic, bytes([FORMAT_VERSION]), *chain.from_iterable(zip(lengths, parts, strict=True))])


def _unpack(magic: bytes, data: bytes | memoryview, count: int, what: str) -> list[bytes]:
    """The ``count`` parts ``_pack`` wrote after ``magic``; anything else is refused."""
    view = memoryview(data)  # sliced without copying: each part is copied once
    if len(view) < len(magic) + 1:
        raise SealingError(f"The {what} is truncated: {len(view)} bytes.")
    if view[: len(magic)] != magic:
        raise SealingError(f"These bytes are not a {what} (they do not start with {magic!r}).")
    if view[len(magic)] != FORMAT_VERSION:
        raise SealingError(
            f"The {what} has format version {view[len(magic)]}, unknown here (this code reads {FORMAT_VERSION})."
        )
    parts, offset = [], len(magic) + 1
    for _ in range(count):
        if offset + 4 > len(view):
            raise SealingError(f"The {what} is truncated: a part's length is missing.")
        (length,) = struct.unpack_from(">I", view, offset)
        offset += 4
        if offset + length > len(view):
            raise SealingError(f"The {what} is truncated: a part is shorter than its length says.")
        parts.append(bytes(view[offset : offset + length]))
        offset += length
    if offset != len(view):
        raise SealingError(f"The {what} has {len(view) - offset} unexpected bytes after its end.")
    return parts
