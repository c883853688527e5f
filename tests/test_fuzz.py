"""Malformed design and study files: every one ends in a DesignError or a valid object, fast, never a traceback.

Cases are mutations of the shipped presets (seeded, so a failure replays): truncations, byte noise, odd
encodings, values of the wrong type or absurd size, deep nesting, alias bombs and self-referencing aliases,
unknown keys, YAML tags that would build Python objects.
"""

import random
import resource
import time

import pytest
import yaml

from snnexplorer.design import Design
from snnexplorer.errors import DesignError
from snnexplorer.explore import Study
from snnexplorer.presets import design_preset_paths, presets_dir
from snnexplorer.yaml_input import decode_utf8, parse_yaml

CASES_PER_SOURCE = 110
ODD_VALUES = [
    "-1",
    "0",
    "1e308",
    "-1e308",
    ".nan",
    ".inf",
    "99999999999999999999999999",
    "'x'",
    "[1, [2, [3]]]",
    "{a: 1}",
    "null",
    "true",
    "''",
    "0x10",
    "2001-12-14",
    "!!binary aGk=",
    "!!python/object/apply:os.system ['true']",
    "&r [*r]",
    "[" + ", ".join(["1"] * 5000) + "]",
    "'" + "z" * 20000 + "'",
    "{hidden: [256]}",
    "-0.0",
    "1_000",
]


def _mutations(text: str, rng: random.Random) -> list[bytes]:
    lines = text.splitlines()
    raw = text.encode()
    out = [raw[: rng.randrange(len(raw))] for _ in range(10)]  # truncations
    for _ in range(10):  # byte noise
        noisy = bytearray(raw)
        for _ in range(rng.randint(1, 8)):
            noisy[rng.randrange(len(noisy))] = rng.randrange(256)
        out.append(bytes(noisy))
    out += [text.encode("utf-16"), text.encode("latin-1", "replace") + "\ncomment: caf\u00e9\n".encode("latin-1")]
    for _ in range(60):  # one value replaced by an odd one
        index = rng.randrange(len(lines))
        line = lines[index]
        if ":" in line:
            key = line.split(":", 1)[0]
            lines_copy = list(lines)
            lines_copy[index] = f"{key}: {rng.choice(ODD_VALUES)}"
            out.append("\n".join(lines_copy).encode())
    data = yaml.safe_load(text)
    for _ in range(20):  # a random path set to a random type, or a key renamed
        mutated = yaml.safe_load(text)
        target, keys = mutated, list(mutated)
        key = rng.choice(keys)
        while isinstance(target.get(key), dict) and target[key] and rng.random() < 0.6:
            target = target[key]
            key = rng.choice(list(target))
        if rng.random() < 0.3:
            target[f"{key}_typo"] = target.pop(key)
        else:
            target[key] = rng.choice([None, -5, 3.5, "text", [1, 2], {"x": 1}, 10**40, float("nan"), [[1] * 3] * 3, True])
        out.append(yaml.safe_dump(mutated).encode())
    depth = rng.randint(500, 5000)
    out += [b"[" * depth + b"]" * depth, ("a: " + "[" * depth + "]" * depth).encode(), b"network: {hidden: " + b"[" * depth]
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefg", "bcdefgh")
    )
    out += [bomb.encode(), (text + "\n" + bomb).encode(), b"", b"\x00" * 64, b"- 1\n- 2\n", b"just text", str(data).encode()]
    return out[:CASES_PER_SOURCE]


def _load_design(content: bytes) -> None:
    Design.from_dict(parse_yaml(decode_utf8(content, "fuzz.yaml"), "fuzz.yaml"))


def _load_study(content: bytes) -> None:
    data = parse_yaml(decode_utf8(content, "fuzz.yaml"), "fuzz.yaml")
    if not isinstance(data, dict):
        raise DesignError.single("file", "fuzz.yaml", "a YAML mapping")
    Study.from_dict(data, presets_dir() / "studies")


@pytest.mark.slow  # a thousand files
def test_a_thousand_malformed_files_end_in_a_clear_error_or_a_valid_object():
    rng = random.Random(0)
    sources = [(p, _load_design) for p in design_preset_paths()] + [
        (p, _load_study) for p in sorted((presets_dir() / "studies").glob("*.yaml"))
    ]
    cases = [(path.name, content, load) for path, load in sources for content in _mutations(path.read_text(), rng)]
    assert len(cases) >= 1000
    memory_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start, slowest, failures, outcomes = time.perf_counter(), 0.0, [], {"error": 0, "valid": 0}
    for index, (name, content, load) in enumerate(cases):
        case_start = time.perf_counter()
        try:
            load(content)
            outcomes["valid"] += 1
        except DesignError as exc:
            outcomes["error"] += 1
            assert all(len(str(p)) < 2000 for p in exc.problems), (name, index, str(exc)[:300])
        except Exception as exc:  # anything else is a bug: collect them all
            failures.append(f"{name} case {index}: {type(exc).__name__}: {str(exc)[:200]} <- {content[:120]!r}")
        slowest = max(slowest, time.perf_counter() - case_start)
    elapsed = time.perf_counter() - start
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - memory_before) / 1024
    assert not failures, "\n".join(failures[:20]) + f"\n({len(failures)} of {len(cases)} cases)"
    # no case hangs (an alias bomb, a deep nesting): bounds for a hang, not a speed goal (about 0.3 s and 15 s on
    # the 2-core machine alone; four times that on a loaded CI machine)
    assert slowest < 30.0 and elapsed < 300.0, (slowest, elapsed)
    assert grown_mb < 500, grown_mb
    assert outcomes["error"] > 500 and outcomes["valid"] > 10, outcomes  # the mutations reach both ends
    print(f"{len(cases)} cases in {elapsed:.1f} s (slowest {slowest:.2f} s): {outcomes}")
