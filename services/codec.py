"""Payload encryption for Temporal: idea texts, merchant ids and every other payload are
AES-256-GCM encrypted before they reach the server, so histories and the Temporal UI hold
ciphertext; only processes with the key (the API, the workers, an admin's codec route) read
them. Payloads written before encryption was on still decode (they pass through)."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import os
from collections.abc import Sequence

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, PayloadCodec

ENCODING = b"binary/encrypted"
NONCE_BYTES = 12


def payload_key(secret: str) -> bytes:
    """The 32-byte AES key of a deployment's payload secret (any string of 16+ characters)."""
    if len(secret) < 16:
        raise ValueError("the payload secret must be at least 16 characters")
    return hashlib.sha256(b"trendforge-payloads\x00" + secret.encode()).digest()


def key_id(key: bytes) -> str:
    """A short public name of a key, kept with each payload (which key to decrypt with)."""
    return hashlib.sha256(b"key-id\x00" + key).hexdigest()[:12]


def keyed_name(key: bytes | None, value: str) -> str:
    """What a search attribute or fairness key shows of a merchant id when payloads are
    encrypted: an HMAC of it (stable, so filters and fair shares still work), else the id."""
    if key is None:
        return value
    return "m-" + hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:20]


class EncryptionCodec(PayloadCodec):
    """AES-256-GCM of every payload; decoding leaves unencrypted payloads as they are."""

    def __init__(self, key: bytes) -> None:
        self._aes = AESGCM(key)
        self._key = key
        self._key_id = key_id(key).encode()

    def name(self, value: str) -> str:
        """keyed_name under this codec's key."""
        return keyed_name(self._key, value)

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        out = []
        for p in payloads:
            nonce = os.urandom(NONCE_BYTES)
            sealed = self._aes.encrypt(nonce, p.SerializeToString(), None)
            out.append(
                Payload(
                    metadata={"encoding": ENCODING, "encryption-key-id": self._key_id},
                    data=nonce + sealed,
                )
            )
        return out

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        out = []
        for p in payloads:
            if p.metadata.get("encoding") != ENCODING:
                out.append(p)  # written before encryption was on
                continue
            if p.metadata.get("encryption-key-id") != self._key_id:
                raise ValueError("a payload was encrypted with another key")
            plain = self._aes.decrypt(p.data[:NONCE_BYTES], p.data[NONCE_BYTES:], None)
            decoded = Payload()
            decoded.ParseFromString(plain)
            out.append(decoded)
        return out


def data_converter(key: bytes | None) -> DataConverter:
    """The pydantic converter, with payload encryption when a key is given."""
    if key is None:
        return pydantic_data_converter
    return dataclasses.replace(pydantic_data_converter, payload_codec=EncryptionCodec(key))
