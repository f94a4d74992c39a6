"""A TOTP code computed as RFC 6238 says, independently of django-otp (for the tests)."""

import hashlib
import hmac
import struct
import time


def totp(key: bytes, *, at: float | None = None, digits: int = 6, step: int = 30) -> str:
    """RFC 6238 TOTP with HMAC-SHA1 (RFC 4226 section 5.3's dynamic truncation)."""
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)
