"""Input that comes from files: the hardware schema, and YAML read under limits."""

import os
import shutil
import subprocess
import sys
import time

import pytest
import yaml

from snnexplorer.cli import main
from snnexplorer.design import Design
from snnexplorer.errors import DesignError
from snnexplorer.hardware import Architecture
from snnexplorer.hardware_schema import COMPUTE_FIELDS, LEVEL_FIELDS, MemoryLevel
from snnexplorer.presets import hardware_preset, presets_dir
from snnexplorer.yaml_input import MAX_ALIASES, MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES, dump_yaml, parse_yaml, read_yaml


@pytest.fixture
def presets_copy(tmp_path, monkeypatch):
    """A writable copy of the shipped presets, used through SNNEXPLORER_PRESETS."""
    folder = tmp_path / "presets"
    shutil.copytree(presets_dir(), folder)
    monkeypatch.setenv("SNNEXPLORER_PRESETS", str(folder))
    return folder


def _write_preset(folder, name, edit):
    raw = hardware_preset("edge-soc")
    data = yaml.safe_load(yaml.safe_dump(raw))
    edit(data)
    (folder / "hardware" / f"{name}.yaml").write_text(yaml.safe_dump(data))


def test_a_broken_preset_names_its_file_and_each_bad_field(presets_copy):
    def edit(data):
        del data["levels"][0]["read_pj"]
        data["levels"][1]["bandwidth_bytes_per_s"] = -1.0
        data["compute"]["units"] = "four"
        data["levels"][2]["color"] = "red"

    _write_preset(presets_copy, "broken", edit)
    with pytest.raises(DesignError) as info:
        Architecture.from_preset("broken")
    fields = {p.field.split(": ", 1)[1]: p.allowed for p in info.value.problems}
    assert all(p.field.startswith(str(presets_copy / "hardware" / "broken.yaml")) for p in info.value.problems)
    assert fields["levels[0].read_pj"].startswith("a number ≥ 0")
    assert fields["levels[1].bandwidth_bytes_per_s"] == "a number > 0.0"
    assert fields["compute.units"].startswith("an integer ≥ 1")
    assert "a known key" in fields["levels[2].color"]
    with pytest.raises(DesignError) as info:
        Design.from_dict({"hardware": {"preset": "broken"}})
    assert any("levels[0].read_pj" in p.field for p in info.value.problems)


def test_latency_is_documented_but_not_required(presets_copy):
    _write_preset(presets_copy, "no-latency", lambda data: [level.pop("latency_s") for level in data["levels"]])
    from snnexplorer.pipeline import evaluate

    without = Design.from_dict({"hardware": {"preset": "no-latency"}})
    shipped = Design.from_dict({"hardware": {"preset": "edge-soc"}})
    assert evaluate(without, "synthetic:0.1").energy_j == evaluate(shipped, "synthetic:0.1").energy_j
    assert "Not priced" in MemoryLevel.param.latency_s.doc


def test_overrides_are_checked_against_the_schema_in_the_designs_format():
    bad = {"L1.colour": 1.0, "L9.read_pj": 1.0, "L2.read_pj": -3.0, "compute.units": 2.5, "DRAM.word_bits": 32.0}
    with pytest.raises(DesignError) as info:
        Design.from_dict({"hardware": {"preset": "edge-soc", "overrides": bad}})
    problems = {p.field: p.allowed for p in info.value.problems}
    assert problems["hardware.overrides.L1.colour"] == f"a level field: one of {list(LEVEL_FIELDS)}"
    assert "a key naming a level of the preset ['L1', 'L2', 'DRAM']" in problems["hardware.overrides.L9.read_pj"]
    assert problems["hardware.overrides.L2.read_pj"] == "a number ≥ 0.0"
    assert problems["hardware.overrides.compute.units"] == "an integer ≥ 1"
    assert "hardware.overrides.DRAM.word_bits" not in problems  # 32.0 is the integer 32
    assert len(problems) == 4 and set(COMPUTE_FIELDS) >= {"units", "clock_hz"}


def test_yaml_reads_exponent_floats_and_the_shipped_presets_use_them():
    assert parse_yaml("a: 1e9\nb: 1.5e-3\nc: -2E+4\nd: 12\n") == {"a": 1e9, "b": 1.5e-3, "c": -2e4, "d": 12}
    design = Design.from_yaml("training: {lr: 3e-3}\nhardware: {overrides: {compute.clock_hz: 1e9}}\n")
    assert design.training.lr == 3e-3 and design.hardware.overrides == {"compute.clock_hz": 1e9}
    assert hardware_preset("edge-soc")["compute"]["clock_hz"] == 1.5e9


def test_strings_that_read_as_exponent_floats_are_written_quoted():
    data = {"name": "0E0", "values": ["1e9", 1e9, "-2E+4", "12"]}
    assert parse_yaml(dump_yaml(data)) == data
    assert Design.from_yaml(Design.from_dict({"name": "1e3"}).to_yaml()).name == "1e3"  # not the float 1000.0


@pytest.mark.parametrize(
    "content",
    [
        bytes(range(256)),  # random bytes
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(40),  # a PNG renamed .yaml
        "name: caf\u00e9\n".encode("latin-1"),  # Latin-1 text
    ],
)
def test_undecodable_files_are_one_clear_line_and_validate_reports_every_file(tmp_path, capsys, content):
    bad, good = tmp_path / "bad.yaml", tmp_path / "good.yaml"
    bad.write_bytes(content)
    good.write_text("name: fine\n")
    with pytest.raises(DesignError) as info:
        read_yaml(bad)
    assert "UTF-8 text" in str(info.value) and len(str(info.value).splitlines()) == 1
    assert main(["validate", str(bad), str(good)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert any(line.startswith(f"{bad}: file") and "UTF-8" in line for line in out)
    assert any(line.startswith(f"{good}: ok") for line in out)


def test_alias_bombs_and_huge_files_stop_fast_with_a_reason(tmp_path):
    laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcdefgh", "bcdefghi")
    )
    start = time.perf_counter()
    with pytest.raises(DesignError) as info:
        parse_yaml(laughs)
    assert f"at most {MAX_NODES:,} values" in str(info.value)
    many = "a: &a 1\nb: [" + ", ".join(["*a"] * (MAX_ALIASES + 1)) + "]\n"
    with pytest.raises(DesignError) as info:
        parse_yaml(many)
    assert f"more than {MAX_ALIASES} aliases" in str(info.value)
    with pytest.raises(DesignError) as info:
        parse_yaml("network: {hidden: " + "[" * 5000 + "]" * 5000 + "}\n")
    assert f"nested at most {MAX_DEPTH} brackets deep" in str(info.value)
    assert time.perf_counter() - start < 5
    big = tmp_path / "big.yaml"
    big.write_text("hidden: [" + "1, " * (MAX_FILE_BYTES // 3) + "1]\n")
    with pytest.raises(DesignError) as info:
        read_yaml(big)
    assert f"at most {MAX_FILE_BYTES:,} bytes" in str(info.value)


def _huge(**changes) -> dict:
    data = {
        "name": "huge",
        "network": {"hidden": [16384, 16384, 16384]},
        "timesteps": 1000,
        "dataset": {"name": "mnist", "test_samples": 70000},
    }
    data.update(changes)
    return data


def test_memory_estimates_refuse_what_cannot_fit_with_the_design_size(monkeypatch):
    from snnexplorer.config import IGNORE_MEMORY_CHECK
    from snnexplorer.resources import check_memory, simulation_bytes, training_bytes

    design = Design.from_dict(_huge())
    assert simulation_bytes(design) > 70000 * 3 * 16384 * 1000  # the spike trains alone
    small = Design.from_dict({"network": {"hidden": [64]}, "dataset": {"test_samples": 100}})
    check_memory(small, "train", available=2**30)
    check_memory(small, "simulate", available=2**30)
    with pytest.raises(DesignError) as info:
        check_memory(small, "train", available=training_bytes(small))  # only 80 % of it may be planned
    text = str(info.value)
    assert text.startswith("train memory:") and "GiB available" in text and f"{small.parameter_count:,} parameters" in text
    monkeypatch.setenv(IGNORE_MEMORY_CHECK, "1")
    check_memory(design, "simulate", available=1)


def test_evaluate_refuses_a_design_bigger_than_the_machine_before_any_work(tmp_path, capsys):
    simulate_heavy, train_heavy = tmp_path / "sim.yaml", tmp_path / "train.yaml"
    simulate_heavy.write_text(yaml.safe_dump(_huge()))
    train_heavy.write_text(
        yaml.safe_dump(
            _huge(dataset={"name": "mnist", "test_samples": 10}, timesteps=2, training={"batch_size": 65536, "timesteps": 1000})
        )
    )
    start = time.perf_counter()
    assert main(["evaluate", str(simulate_heavy)]) == 1
    assert "simulate memory" in capsys.readouterr().err
    assert main(["evaluate", str(train_heavy)]) == 1
    err = capsys.readouterr().err
    assert "train memory" in err and "shrink it" in err and "16384" in err
    assert time.perf_counter() - start < 30
    assert main(["evaluate", str(simulate_heavy), "--activity", "synthetic:0.05"]) == 0  # cost only: no big arrays
    assert "design      huge on edge-soc" in capsys.readouterr().out


def test_sizes_are_bounded_before_anything_is_built_and_messages_stay_short(capsys, tmp_path):
    huge = tmp_path / "huge.yaml"
    huge.write_text(yaml.safe_dump({"name": "n" * 20000, "network": {"hidden": [16384] * 20}}))
    start = time.perf_counter()
    assert main(["validate", str(huge)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert any("at most 1,000,000,000 parameters" in line and "5,113,610,250 parameters" in line for line in lines)
    assert any(line.startswith(f"{huge}: name: 'nnnn") and "(20,000 characters)" in line for line in lines)
    assert all(len(line) < 400 for line in lines) and time.perf_counter() - start < 5


MAPPED_BLOCKS = """
import ctypes, sys
import numpy as np
from snnexplorer.resources import return_large_blocks_at_once

class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()]

libc = ctypes.CDLL(None)
libc.mallinfo2.restype = MallInfo2
if sys.argv[1] == "held":
    assert return_large_blocks_at_once()
big = np.ones(16 << 20, np.uint8)
del big  # by default glibc now maps only blocks of 16 MiB and more
before = libc.mallinfo2().hblks
arrays = [np.ones(1 << 20, np.uint8) for _ in range(8)]
print(libc.mallinfo2().hblks - before)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_a_server_maps_every_large_array_on_its_own_so_freeing_it_returns_the_memory():
    """``snnexplorer serve`` holds glibc's mmap threshold: after a 16 MiB array is freed, 1 MiB arrays are still mapped
    one by one (returned to the system when freed), where by default they come from the heap."""
    # glibc's defaults: no MALLOC_* variable (a dask nanny that ran in this process set MALLOC_TRIM_THRESHOLD_ here,
    # which also fixes the threshold)
    environment = {key: value for key, value in os.environ.items() if not key.startswith("MALLOC_")}
    counts = {
        mode: int(
            subprocess.run(
                [sys.executable, "-c", MAPPED_BLOCKS, mode], capture_output=True, text=True, check=True, env=environment
            ).stdout
        )
        for mode in ("default", "held")
    }
    assert counts == {"default": 0, "held": 8}, counts
