"""Files a user uploads to the dashboard: a design's YAML, a NIR network."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from ..design import Design
from ..errors import DesignError, FieldProblem
from ..interop import ImportedNetwork, from_nir
from ..yaml_input import decode_utf8, parse_yaml
from .runner import LatestWins


def parse_upload(content: str | bytes, filename: str = "upload") -> Design | DesignError:
    """The design in an uploaded file's bytes (or text), read under the YAML input limits, or why not."""
    try:
        text = decode_utf8(content, filename) if isinstance(content, bytes) else content
        return Design.from_dict(parse_yaml(text, filename))
    except DesignError as exc:
        return exc


MAX_UPLOAD_BYTES = 8 << 20
"""Largest NIR file or sweep CSV a page accepts (8 MiB: its base64 stays under Bokeh's 20 MB websocket message
limit; design YAML has its own 1 MiB, :data:`snnexplorer.yaml_input.MAX_FILE_BYTES`)."""


def check_upload_size(content: bytes | str, filename: str) -> None:
    """A DesignError naming the file when it is larger than :data:`MAX_UPLOAD_BYTES`."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise DesignError.single("file", filename, f"at most {MAX_UPLOAD_BYTES:,} bytes (it has {len(content):,})")


def read_nir_upload(content: bytes, filename: str) -> ImportedNetwork:
    """An uploaded NIR file (its bytes) as an ImportedNetwork, or one DesignError saying why not."""
    check_upload_size(content, filename)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload.nir"
        path.write_bytes(content)
        try:
            return from_nir(path, name=Path(filename).stem or "imported")
        except DesignError as exc:  # name the upload, not the temporary file
            raise DesignError(
                [FieldProblem(p.field, filename if p.value == str(path) else p.value, p.allowed) for p in exc.problems]
            ) from None


def imported_note(network: ImportedNetwork) -> str:
    """The status line while an imported network is shown."""
    return (
        f"Imported NIR network {network.name} ({len(network.stages)} layers, {network.n_inputs} inputs): "
        "the network controls do not apply; load a design to leave it."
    )


class UploadReader:
    """Uploads for the explorer: a design's YAML (parsed in a worker thread when served; of uploads that overlap, the
    last one made wins, whichever finishes parsing first) goes to ``load``, a NIR network to ``show_network``; why a
    file is refused goes to ``refuse`` as text."""

    def __init__(
        self,
        load: Callable[[Design], None],
        show_network: Callable[[ImportedNetwork], None],
        refuse: Callable[[str], None],
    ):
        self._load, self._show_network, self._refuse = load, show_network, refuse
        self._runner = LatestWins()

    def design(self, content: str | bytes, filename: str = "upload") -> None:
        """Load an uploaded design (text, or the bytes of a file) now."""
        self._take(parse_upload(content, filename))

    async def design_in_thread(self, content: bytes, filename: str = "upload") -> None:
        """:meth:`design` with the decoding, parsing and validation in a worker thread (all bounded by
        :mod:`snnexplorer.yaml_input`'s limits), so that no upload holds up the server's event loop."""
        current, parsed = await self._runner.run(self._runner.ticket(), parse_upload, content, filename)
        if current:
            self._take(parsed)

    def _take(self, parsed: Design | DesignError) -> None:
        if isinstance(parsed, DesignError):
            self._refuse(parsed.bullets("Upload rejected:"))
        else:
            self._load(parsed)

    def network(self, content: bytes, filename: str = "upload.nir") -> None:
        """Cost the network of an uploaded NIR file (until a design is loaded)."""
        try:
            network = read_nir_upload(content, filename)
        except DesignError as exc:
            self._refuse(exc.bullets("NIR file refused:"))
            return
        self._show_network(network)
