"""The README and docs/ say nothing that is not there: every relative link resolves, every quoted command parses."""

import re
import shlex
from pathlib import Path

import pytest

from snnexplorer.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.M | re.S)
INLINE_COMMAND = re.compile(r"`(snnexplorer [^`]+)`")


def _commands(text: str) -> list[tuple[str, bool]]:
    """(command, whole): commands on their own line of a code block (whole: every argument must parse), and inline
    ones (which may name a subcommand and some of its arguments only)."""
    found = []
    for block in FENCE.findall(text):
        for line in block.splitlines():
            command = line.split("#", 1)[0].strip()
            if command.startswith("snnexplorer "):
                found.append((command, True))
    found += [(command, False) for command in INLINE_COMMAND.findall(FENCE.sub("", text))]
    return found


def test_the_readme_is_short_and_links_every_docs_page():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 250
    linked = {Path(target) for target in LINK.findall(readme)}
    assert {page.relative_to(ROOT) for page in PAGES[1:]} <= linked


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_relative_link_resolves(page):
    for target in LINK.findall(page.read_text()):
        if re.match(r"[a-z]+://|#|mailto:", target):
            continue
        assert (page.parent / target.split("#")[0]).exists(), f"{page.name}: {target}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_quoted_command_parses(page):
    commands = _commands(page.read_text())
    parser = build_parser()
    for command, whole in commands:
        arguments = shlex.split(command)[1:]
        try:
            parser.parse_args(arguments)
        except SystemExit as exited:
            if exited.code == 0:  # --version, --help
                continue
            assert not whole, f"{page.name}: `{command}` does not parse (exit {exited.code})"
            with pytest.raises(SystemExit) as helped:  # a partial command: its subcommand must exist
                parser.parse_args([next(a for a in arguments if not a.startswith("-")), "--help"])
            assert helped.value.code == 0, f"{page.name}: `{command}` names no subcommand"
