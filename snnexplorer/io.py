"""Atomic file writes (a reader never sees a half-written file) and checked downloads."""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.request
from pathlib import Path


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def fetch_checked(urls: list[str], md5: str, timeout_s: float) -> bytes:
    """The bytes of the first of ``urls`` that answers with content of MD5 ``md5``; OSError naming every failure."""
    errors = []
    for url in urls:
        try:
            with urllib.request.urlopen(url, timeout=timeout_s) as response:
                payload = response.read()
        except OSError as exc:
            errors.append(f"{url}: {exc}")
            continue
        digest = hashlib.md5(payload).hexdigest()
        if digest == md5:
            return payload
        errors.append(f"{url}: md5 {digest} != expected {md5}")
    raise OSError(f"could not download {urls[-1].rsplit('/', 1)[-1]}: " + "; ".join(errors))
