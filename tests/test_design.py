import json

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from snnexplorer.cli import main
from snnexplorer.design import Design, load_design
from snnexplorer.errors import DesignError
from snnexplorer.presets import design_preset_paths, hardware_preset_names


def problems_of(data):
    with pytest.raises(DesignError) as info:
        Design.from_dict(data)
    return {p.field: p for p in info.value.problems}


@st.composite
def designs(draw):
    depth = draw(st.integers(1, 3))
    experts = draw(st.integers(1, 10))
    grouping = "one-vs-rest" if experts == 10 and draw(st.booleans()) else draw(st.sampled_from(["balanced", "confusion"]))
    spec_hidden = draw(st.lists(st.integers(1, 512), min_size=1, max_size=3))
    n_layers = (depth if experts == 1 else len(spec_hidden)) + 1
    per_layer = lambda lo, hi: st.one_of(st.integers(lo, hi), st.lists(st.integers(lo, hi), min_size=n_layers, max_size=n_layers))
    return {
        "name": draw(st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=20)),
        "dataset": {
            "name": draw(st.sampled_from(["mnist", "fashion-mnist", "digits"])),
            "encoding": draw(st.sampled_from(["rate", "direct", "latency"])),
            "test_samples": draw(st.integers(1, 10000)),
        },
        "network": {
            "hidden": draw(st.lists(st.integers(1, 4096), min_size=depth, max_size=depth)),
            "neuron": {
                "beta": draw(st.floats(0, 1)),
                "threshold": draw(st.floats(0.01, 10)),
                "reset": draw(st.sampled_from(["subtract", "zero"])),
            },
        },
        "specialization": {
            "experts": experts,
            "grouping": grouping,
            "combine": draw(st.sampled_from(["argmax", "router"])),
            "hidden": spec_hidden,
        },
        "timesteps": draw(per_layer(1, 100)),
        "quantization": {"weight_bits": draw(per_layer(1, 32)), "membrane_bits": draw(per_layer(1, 32))},
        "hardware": {"preset": draw(st.sampled_from(hardware_preset_names())), "overrides": {}},
        "mapping": {
            "batch": draw(st.integers(1, 256)),
            "loop_order": draw(st.sampled_from(["timestep-major", "layer-major"])),
            "neuron_update": draw(st.sampled_from(["time-driven", "event-driven"])),
            "experts": draw(st.sampled_from(["sequential", "parallel"])),
        },
        "training": {"epochs": draw(st.integers(1, 20)), "seed": draw(st.integers(0, 1000))},
    }


@settings(max_examples=60, deadline=None)
@given(designs())
def test_round_trip_dict_yaml_json(data):
    design = Design.from_dict(data)
    assert Design.from_dict(design.to_dict()) == design
    assert Design.from_yaml(design.to_yaml()) == design
    assert Design.from_dict(json.loads(design.to_json())) == design
    assert design.hash_for("cost") == Design.from_dict(design.to_dict()).hash_for("cost")


def test_missing_keys_take_defaults():
    design = Design.from_dict({"name": "x"})
    assert design.network.hidden == [256] and design.layer_timesteps == [25, 25] and design.hardware.preset == "edge-soc"


@pytest.mark.parametrize(
    "data, field, allowed",
    [
        ({"nonsense": 1}, "nonsense", "known key"),
        ({"network": {"widths": [3]}}, "network.widths", "known key"),
        ({"network": {"hidden": [0]}}, "network.hidden", "1..16384"),
        ({"network": {"hidden": "256"}}, "network.hidden", "list of at most 64 integers"),
        ({"network": {"neuron": {"beta": 1.5}}}, "network.neuron.beta", "≤ 1.0"),
        ({"network": {"neuron": {"reset": "soft"}}}, "network.neuron.reset", "'subtract'"),
        ({"timesteps": [10, 10, 10]}, "timesteps", "list of 2 ints"),
        ({"timesteps": 0}, "timesteps", "1..1000"),
        ({"timesteps": "many"}, "timesteps", "1..1000"),
        ({"specialization": {"experts": 11}}, "specialization.experts", "at most 10"),
        ({"specialization": {"experts": 3, "grouping": "one-vs-rest"}}, "specialization.experts", "one-vs-rest"),
        ({"quantization": {"weight_bits": 33}}, "quantization.weight_bits", "1..32"),
        ({"quantization": {"membrane_bits": 0}}, "quantization.membrane_bits", "1..32"),
        ({"quantization": {"weight_bits": [8, 8, 8]}}, "quantization.weight_bits", "list of 2 ints"),
        ({"hardware": {"preset": "abacus"}}, "hardware.preset", "edge-soc"),
        ({"hardware": {"overrides": {"L7.read_pj": 1.0}}}, "hardware.overrides.L7.read_pj", "level of the preset"),
        ({"hardware": {"overrides": {"L1.read_pj": -1}}}, "hardware.overrides.L1.read_pj", "≥ 0"),
        ({"mapping": {"batch": 1.5}}, "mapping.batch", "integer"),
        ({"mapping": {"loop_order": "random"}}, "mapping.loop_order", "'layer-major'"),
        ({"mapping": {"weights_level": "L9"}}, "mapping.weights_level", "'auto'"),
        ({"training": {"epochs": True}}, "training.epochs", "integer"),
        ({"dataset": {"name": "cifar"}}, "dataset.name", "'mnist'"),
    ],
)
def test_each_invalid_input_names_field_value_and_allowed(data, field, allowed):
    found = problems_of(data)
    assert field in found, found
    problem = found[field]
    assert allowed in problem.allowed
    assert repr(problem.value) in str(problem) and field in str(problem)


def test_all_bad_fields_reported_together():
    found = problems_of({"network": {"hidden": [0]}, "mapping": {"batch": 0}, "extra": 1})
    assert {"network.hidden", "mapping.batch", "extra"} <= set(found)


def test_direct_construction_validates_too():
    from snnexplorer.design import Network

    with pytest.raises(DesignError, match="network.hidden"):
        Network(hidden=[-1])


def test_stage_hashes_change_only_with_their_inputs():
    base = Design()
    timesteps = base.copy(timesteps=10)
    hardware = base.copy(hardware={"preset": "gpu"})
    network = base.copy(network={"hidden": [128]})
    assert timesteps.hash_for("train") == base.hash_for("train") != network.hash_for("train")
    assert timesteps.hash_for("simulate") != base.hash_for("simulate")
    assert hardware.hash_for("simulate") == base.hash_for("simulate")
    assert hardware.hash_for("cost") != base.hash_for("cost")
    with pytest.raises(DesignError):
        base.hash_for("paint")


def test_shipped_presets_validate():
    paths = design_preset_paths()
    assert len(paths) >= 4
    names = {load_design(p).name for p in paths}
    assert {"mnist-baseline", "mnist-specialized", "mnist-ldsnn", "mnist-quantized"} <= names
    assert main(["validate", *map(str, paths)]) == 0


def test_cli_validate_prints_one_line_per_bad_field(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"network": {"hidden": [0]}, "timesteps": [1, 2, 3, 4], "mapping": {"batch": -2}}))
    assert main(["validate", str(bad)]) == 1
    lines = [l for l in capsys.readouterr().out.splitlines() if l.strip()]
    assert len(lines) == 3
    for field in ("network.hidden", "mapping.batch", "timesteps"):
        assert sum(field in line for line in lines) == 1


def test_malformed_yaml_is_a_clear_error(tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("network: {hidden: [1, 2\n")
    with pytest.raises(DesignError, match="valid YAML"):
        load_design(bad)


def test_to_yaml_writes_atomically(tmp_path):
    target = tmp_path / "d.yaml"
    Design(name="saved").to_yaml(target)
    assert load_design(target).name == "saved"
    assert [p.name for p in tmp_path.iterdir()] == ["d.yaml"]
