"""Reading YAML that a user hands us (designs, studies, hardware presets): bounded and explained.

Every file goes through :func:`read_yaml` / :func:`parse_yaml`, which

* refuse files over :data:`MAX_FILE_BYTES` before reading them whole, and text
  that is not UTF-8 (one line naming the file and the first bad byte);
* parse with a ``yaml.SafeLoader`` subclass (no Python objects) that also reads
  YAML 1.2 exponent floats (``1e9``, ``1.5e-3``; PyYAML's YAML 1.1 rules read
  them as strings), which :func:`dump_yaml` quotes where they are strings;
* refuse flow collections (``[…]``, ``{…}``) nested deeper than :data:`MAX_DEPTH`
  before parsing (PyYAML's scanner takes time quadratic in the depth: 5,000
  levels took 4 s), more than :data:`MAX_ALIASES` aliases, and documents that
  expand to more than :data:`MAX_NODES` values (counted with aliases expanded, so a
  "billion laughs" file of nested aliases stops after ``MAX_NODES`` steps
  instead of eating the machine).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from .errors import DesignError

MAX_FILE_BYTES = 1 << 20
"""Largest YAML file read (1 MiB; the shipped presets are under 4 KiB)."""
MAX_ALIASES = 100
"""Most YAML aliases (``*name``) in one file."""
MAX_NODES = 100_000
"""Most values (mapping entries, list items, scalars) in one document, aliases expanded."""
MAX_DEPTH = 100
"""Deepest nesting of brackets (``[`` and ``{``, outside comments) in a YAML text."""
_BRACKET_OR_COMMENT = re.compile(r"[\[\]{}]|#[^\n]*")

_EXPONENT_FLOAT = re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$")


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 exponent floats and an alias budget."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self.aliases_seen = getattr(self, "aliases_seen", 0) + 1
            if self.aliases_seen > MAX_ALIASES:
                raise yaml.YAMLError(f"more than {MAX_ALIASES} aliases")
        return super().compose_node(parent, index)


class _Dumper(yaml.SafeDumper):
    """SafeDumper that quotes what :class:`_Loader` would read as a float: a string such as ``1e3`` or ``0E0``."""


for _reader_or_writer in (_Loader, _Dumper):  # both resolve exponent floats alike
    _reader_or_writer.add_implicit_resolver("tag:yaml.org,2002:float", _EXPONENT_FLOAT, list("-+0123456789"))


def dump_yaml(data: Any, **options: Any) -> str:
    """``data`` (plain Python values) as YAML that :func:`parse_yaml` reads back equal; ``options`` as
    ``yaml.safe_dump``'s."""
    return yaml.dump(data, Dumper=_Dumper, **options)


def _check_expanded_size(value: Any, where: str) -> None:
    """Count values with aliases expanded; stop at the first one past :data:`MAX_NODES`."""
    stack, count = [value], 0
    while stack:
        item = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise DesignError.single("file", where, f"at most {MAX_NODES:,} values (aliases expanded)")
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _flow_depth(text: str) -> int:
    """The deepest bracket nesting of ``text`` (comments skipped; brackets in strings count, which only errs high)."""
    depth = deepest = 0
    for match in _BRACKET_OR_COMMENT.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif token in "]}":
            depth = max(0, depth - 1)
    return deepest


def parse_yaml(text: str, where: str = "<text>") -> Any:
    """Parse YAML ``text`` (named ``where`` in errors) under the limits above."""
    if len(text) > MAX_FILE_BYTES:
        raise DesignError.single("file", where, f"at most {MAX_FILE_BYTES:,} characters of YAML (it has {len(text):,})")
    if _flow_depth(text) > MAX_DEPTH:
        raise DesignError.single("file", where, f"YAML nested at most {MAX_DEPTH} brackets deep")
    try:
        data = yaml.load(text, Loader=_Loader)  # a SafeLoader subclass: no Python objects
    except yaml.YAMLError as exc:
        summary = str(exc).splitlines()
        raise DesignError.single("file", where, f"valid YAML ({exc.__class__.__name__}: {' '.join(summary)[:300]})") from None
    except RecursionError:
        raise DesignError.single("file", where, "YAML nested less deeply") from None
    _check_expanded_size(data, where)
    return data


def decode_utf8(raw: bytes, where: str) -> str:
    """``raw`` as UTF-8 text (a byte-order mark is dropped), or one clear error."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DesignError.single(
            "file", where, f"UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start} is not)"
        ) from None


def read_yaml(path: str | Path) -> dict:
    """Read a YAML mapping from ``path`` under the limits above; a clear error otherwise."""
    path = Path(path)
    where = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise DesignError.single("file", where, f"a YAML file of at most {MAX_FILE_BYTES:,} bytes (it has {size:,})")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DesignError.single("file", where, "an existing YAML file") from None
    except IsADirectoryError:
        raise DesignError.single("file", where, "a YAML file, not a folder") from None
    except OSError as exc:
        raise DesignError.single("file", where, f"a readable YAML file ({exc.strerror})") from None
    data = parse_yaml(decode_utf8(raw, where), where)
    if not isinstance(data, dict):
        raise DesignError.single("file", where, "a YAML mapping at the top level")
    return data
