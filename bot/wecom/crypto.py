"""WeCom callback crypto (the protocol of the official WXBizMsgCrypt samples).

- signature = SHA1 of the sorted strings token, timestamp, nonce and the encrypted payload;
- key = base64(EncodingAESKey + "="), 32 bytes; IV = its first 16 bytes; AES-256-CBC;
- padding: PKCS#7 to 32-byte blocks (not AES's 16);
- plaintext = 16 random bytes + 4-byte big-endian length + message + ReceiveId (the corp id).

Every check fails closed with ``WeComCryptoError`` naming what was wrong: a bad signature, a
payload that does not decrypt, a wrong ReceiveId, or a timestamp outside the allowed window
(an old request replayed).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct
import time
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32
MAX_CLOCK_SKEW_SECONDS = 300  # requests older (or newer) than this are refused as replays


class WeComCryptoError(Exception):
    """A callback that must be refused; ``reason`` says why (for the log, never the client)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class WeComCrypto:
    token: str
    encoding_aes_key: str  # 43 characters, as the admin console shows it
    receive_id: str  # the corp id (企业 ID)

    def __post_init__(self) -> None:
        if len(self.encoding_aes_key) != 43:
            raise ValueError("EncodingAESKey must be 43 characters")
        self._key()  # fails now, not on the first message, if it is not base64

    def _key(self) -> bytes:
        try:
            key = base64.b64decode(self.encoding_aes_key + "=", validate=True)
        except binascii.Error as exc:
            raise ValueError("EncodingAESKey is not valid base64") from exc
        if len(key) != 32:
            raise ValueError("EncodingAESKey must decode to 32 bytes")
        return key

    def signature(self, timestamp: str, nonce: str, payload: str) -> str:
        parts = sorted([self.token, timestamp, nonce, payload])
        return hashlib.sha1("".join(parts).encode()).hexdigest()  # SHA1: the protocol's choice

    def check(
        self,
        msg_signature: str,
        timestamp: str,
        nonce: str,
        payload: str,
        *,
        now: float | None = None,
    ) -> None:
        """Refuse a wrong signature or a timestamp outside the window."""
        expected = self.signature(timestamp, nonce, payload)
        if not hmac.compare_digest(expected, msg_signature.lower()):
            raise WeComCryptoError("bad signature")
        try:
            sent = int(timestamp)
        except ValueError as exc:
            raise WeComCryptoError("timestamp is not a number") from exc
        if abs((time.time() if now is None else now) - sent) > MAX_CLOCK_SKEW_SECONDS:
            raise WeComCryptoError("stale timestamp (replayed request?)")

    def decrypt(
        self,
        msg_signature: str,
        timestamp: str,
        nonce: str,
        payload: str,
        *,
        now: float | None = None,
    ) -> bytes:
        """The message inside a signed, encrypted payload (checked end to end)."""
        self.check(msg_signature, timestamp, nonce, payload, now=now)
        key = self._key()
        try:
            data = base64.b64decode(payload, validate=True)
        except binascii.Error as exc:
            raise WeComCryptoError("payload is not base64") from exc
        if not data or len(data) % 16:
            raise WeComCryptoError("payload is not whole AES blocks")
        decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
        padded = decryptor.update(data) + decryptor.finalize()
        pad = padded[-1]
        if not 1 <= pad <= BLOCK or padded[-pad:] != bytes([pad]) * pad:
            raise WeComCryptoError("bad padding")
        plain = padded[:-pad]
        if len(plain) < 20:
            raise WeComCryptoError("plaintext too short")
        (length,) = struct.unpack(">I", plain[16:20])
        message, receive_id = plain[20 : 20 + length], plain[20 + length :]
        if len(message) != length:
            raise WeComCryptoError("length field does not match")
        if receive_id.decode(errors="replace") != self.receive_id:
            raise WeComCryptoError("wrong ReceiveId (not our corp)")
        return message

    def encrypt(
        self, message: bytes, *, nonce: str, timestamp: str, random_prefix: bytes | None = None
    ) -> tuple[str, str]:
        """(payload, signature) for ``message``: what WeCom sends, and what a passive reply or
        our fake WeCom server needs."""
        key = self._key()
        prefix = random_prefix if random_prefix is not None else os.urandom(16)
        plain = prefix + struct.pack(">I", len(message)) + message + self.receive_id.encode()
        pad = BLOCK - len(plain) % BLOCK
        encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
        data = encryptor.update(plain + bytes([pad]) * pad) + encryptor.finalize()
        payload = base64.b64encode(data).decode()
        return payload, self.signature(timestamp, nonce, payload)
