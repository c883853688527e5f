import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from snnexplorer.design import Design, load_design
from snnexplorer.errors import DesignError
from snnexplorer.format import reference_points
from snnexplorer.hardware import Architecture, price
from snnexplorer.hardware.workload import Items, Ops
from snnexplorer.pipeline import architecture_of, cost_design, cost_design_variants, evaluate, synthetic_for
from snnexplorer.presets import hardware_preset, hardware_preset_names
from snnexplorer.sim.synthetic import synthetic_activity
from snnexplorer.topology import dense_specs


def arch_of(levels, **compute):
    """A hand-made architecture: levels = [(capacity, word_bits, read_pj, write_pj, bandwidth)]."""
    names = [f"M{i}" for i in range(len(levels))]
    cols = list(zip(*levels))
    fields = {
        "capacity_bytes": cols[0],
        "word_bits": cols[1],
        "read_pj": cols[2],
        "write_pj": cols[3],
        "bandwidth_bytes_per_s": cols[4],
        "latency_s": [0] * len(levels),
        "leakage_w": [0] * len(levels),
    }
    comp = {
        "units": 1,
        "clock_hz": 1e9,
        "ops_per_cycle": 1,
        "accumulate_pj": 1.0,
        "mac_pj": 2.0,
        "neuron_update_pj": 3.0,
        "leakage_w": 0.0,
    }
    comp.update(compute)
    return Architecture(
        "hand",
        names,
        {k: np.array([v], dtype=float) for k, v in fields.items()},
        {k: np.array([v], dtype=float) for k, v in comp.items()},
    )


def one_item(read_use, once, stream, working_set, write_use=0.0, stream_write=0.0):
    return Items(
        np.array([0]),
        ["weights"],
        ["main"],
        np.array([read_use]),
        np.array([write_use]),
        np.array([once]),
        np.array([stream]),
        np.array([stream_write]),
        np.array([working_set]),
        np.array([working_set]),
    )


NO_OPS = Ops(np.array([0]), ["main"], np.array([0.0]), np.array([0.0]), np.array([0.0]))


def test_two_levels_item_that_fits_is_fetched_once():
    arch = arch_of([(1000, 64, 10.0, 20.0, 1e9), (1e9, 64, 100.0, 100.0, 1e8)])
    out = price(one_item(read_use=800, once=400, stream=600, working_set=400), NO_OPS, arch, batch=1)
    assert out.read_bytes[0, 0].tolist() == [800, 400]
    assert out.write_bytes[0, 0].tolist() == [400, 0]
    # 800 B / 8 B = 100 reads x 10 pJ + 50 fills x 20 pJ + 50 reads x 100 pJ
    assert out.energy_j[0] == pytest.approx((100 * 10 + 50 * 20 + 50 * 100) * 1e-12)
    # latency: M0 moves 1200 B at 1 GB/s = 1.2 µs, M1 400 B at 0.1 GB/s = 4 µs
    assert out.latency_s[0] == pytest.approx(4e-6)


def test_two_levels_item_that_overflows_is_streamed():
    arch = arch_of([(100, 64, 10.0, 20.0, 1e9), (1e9, 64, 100.0, 100.0, 1e8)])
    out = price(one_item(read_use=800, once=400, stream=600, working_set=400), NO_OPS, arch, batch=1)
    assert out.read_bytes[0, 0].tolist() == [800, 600]
    assert out.energy_j[0] == pytest.approx((100 * 10 + 75 * 20 + 75 * 100) * 1e-12)


def test_three_levels_fits_only_in_the_middle():
    arch = arch_of([(100, 32, 1.0, 1.0, 1e9), (1000, 64, 10.0, 10.0, 1e9), (1e9, 64, 100.0, 100.0, 1e9)])
    out = price(one_item(read_use=1000, once=500, stream=800, working_set=500), NO_OPS, arch, batch=1)
    assert out.read_bytes[0, 0].tolist() == [1000, 800, 500]
    assert out.write_bytes[0, 0].tolist() == [800, 500, 0]
    # word widths: 1000 B / 4 B at M0, then 8-byte words
    expected = 250 * 1 + 200 * 1 + 100 * 10 + 62.5 * 10 + 62.5 * 100
    assert out.energy_j[0] == pytest.approx(expected * 1e-12)


def test_spilled_state_is_written_out_and_read_back():
    arch = arch_of([(10, 64, 1.0, 1.0, 1e9), (1e9, 64, 10.0, 10.0, 1e9)])
    item = one_item(read_use=80, once=0.0, stream=80, working_set=50, write_use=80, stream_write=80)
    out = price(item, NO_OPS, arch, batch=1)
    assert out.read_bytes[0, 0].tolist() == [80, 80] and out.write_bytes[0, 0].tolist() == [160, 80]


def test_operations_are_priced():
    arch = arch_of([(1e9, 64, 0.0, 0.0, 1e12)])
    ops = Ops(np.array([0]), ["main"], np.array([10.0]), np.array([5.0]), np.array([2.0]))
    out = price(one_item(0, 0, 0, 0), ops, arch, batch=4)
    assert out.energy_j[0] == pytest.approx((10 * 1 + 5 * 2 + 2 * 3) * 1e-12)
    assert out.latency_s[0] == pytest.approx(17 * 4 / 1e9)


def base_design(**changes):
    data = {"network": {"hidden": [128, 64]}, "hardware": {"preset": "edge-soc"}}
    data.update(changes)
    return Design.from_dict(data)


@settings(max_examples=30, deadline=None)
@given(
    st.sampled_from(hardware_preset_names()),
    st.floats(0.0, 0.5),
    st.integers(1, 40),
    st.integers(1, 40),
    st.sampled_from(["timestep-major", "layer-major"]),
    st.integers(1, 64),
)
def test_more_timesteps_never_cost_less(preset, rate, t1, t2, loop_order, batch):
    design = base_design(hardware={"preset": preset}, mapping={"loop_order": loop_order, "batch": batch})
    lo, hi = sorted((t1, t2))
    e_lo = evaluate(design.copy(timesteps=lo), f"synthetic:{rate}").energy_j
    e_hi = evaluate(design.copy(timesteps=hi), f"synthetic:{rate}").energy_j
    assert e_hi >= e_lo * (1 - 1e-12)


@settings(max_examples=30, deadline=None)
@given(
    st.sampled_from(hardware_preset_names()),
    st.floats(0.0, 0.5),
    st.integers(0, 3),
    st.floats(1.0, 64.0),
    st.sampled_from(["timestep-major", "layer-major"]),
)
def test_larger_capacity_never_adds_traffic_above(preset, rate, level_pick, factor, loop_order):
    design = base_design(hardware={"preset": preset}, network={"hidden": [512, 512]}, mapping={"loop_order": loop_order})
    arch = architecture_of(design)
    level = arch.level_names[level_pick % arch.n_levels]
    base = arch.levels["capacity_bytes"][0, arch.level_index(level)]
    variants = arch.variants(**{f"{level}__capacity_bytes": [base, base * factor]})
    out = cost_design_variants(design, synthetic_for(design, rate), variants)
    for above in arch.level_names[arch.level_index(level) + 1 :]:
        assert out[f"{above}_bytes"][1] <= out[f"{above}_bytes"][0] + 1e-9


def test_zero_spikes_give_zero_synaptic_energy():
    design = base_design()
    report = evaluate(design, "synthetic:0")
    table = report.breakdown
    assert table[(table.kind == "accumulate")].energy_j.sum() == 0
    assert table[(table.kind == "weights")].energy_j.sum() == 0
    assert report.synaptic_ops == 0


@settings(max_examples=25, deadline=None)
@given(
    st.sampled_from(hardware_preset_names()),
    st.floats(0.0, 1.0),
    st.integers(1, 128),
    st.sampled_from(["bitmap", "address-event"]),
    st.sampled_from(["time-driven", "event-driven"]),
    st.integers(1, 10),
)
def test_breakdown_sums_to_totals(preset, rate, batch, spike_format, update, experts):
    design = base_design(
        hardware={"preset": preset},
        mapping={"batch": batch, "spike_format": spike_format, "neuron_update": update},
        specialization={"experts": experts},
    )
    report = evaluate(design, f"synthetic:{rate}")
    assert report.breakdown.energy_j.sum() == pytest.approx(report.energy_j, rel=1e-9)
    assert set(report.breakdown.columns) >= {"layer", "level", "kind", "op", "accesses", "bytes", "energy_j", "time_s"}


def test_vectorized_variants_equal_one_at_a_time():
    design = base_design(network={"hidden": [1024, 512]})
    activity = synthetic_for(design, 0.1)
    arch = architecture_of(design)
    capacities = [2**16, 2**20, 2**24]
    table = cost_design_variants(design, activity, arch.variants(L2__capacity_bytes=capacities))
    for i, c in enumerate(capacities):
        single = cost_design(design.copy(hardware={"preset": "edge-soc", "overrides": {"L2.capacity_bytes": c}}), activity)
        assert table.energy_j[i] == pytest.approx(single.energy_j)


def test_neuromorphic_core_too_small_is_infeasible_with_reason():
    design = base_design(network={"hidden": [4096, 4096]}, hardware={"preset": "loihi"})
    report = evaluate(design, "synthetic:0.1")
    assert not report.feasible and "exceeds the outermost level SRAM" in report.reasons[0]
    assert report.to_dict()["energy_j"] is None


def test_forced_weights_level_too_small_is_infeasible():
    design = base_design(network={"hidden": [1024]}, mapping={"weights_level": "L1"})
    report = evaluate(design, "synthetic:0.1")
    assert not report.feasible and "weights_level = L1" in " ".join(report.reasons)


def test_report_json_has_contract_keys():
    data = evaluate(base_design(), "synthetic:0.05").to_dict()
    for key in (
        "accuracy",
        "energy_j",
        "latency_s",
        "footprint_bytes",
        "feasible",
        "synaptic_ops",
        "neuron_updates",
        "ann",
        "breakdown",
    ):
        assert key in data
    assert {"energy_j", "latency_s"} <= set(data["ann"])
    assert sum(r["energy_j"] for r in data["breakdown"]) == pytest.approx(data["energy_j"])


def test_every_number_the_report_used_carries_its_source_and_overrides_are_marked():
    design = base_design()
    design.hardware.overrides = {"L2.capacity_bytes": 262144}
    data = evaluate(design, "synthetic:0.05").to_dict()
    rows = {(r["level"], r["field"]): r for r in data["parameters"]}
    arch = architecture_of(design)
    from snnexplorer.hardware_schema import COMPUTE_FIELDS, LEVEL_FIELDS

    # every level field, every compute field, the operation table and the barrier table
    assert len(rows) == arch.n_levels * len(LEVEL_FIELDS) + len(COMPUTE_FIELDS) + 2
    assert rows[("L2", "capacity_bytes")] | {"value": 262144.0, "overridden": True} == rows[("L2", "capacity_bytes")]
    assert "override" in rows[("L2", "capacity_bytes")]["source"]
    assert rows[("L2", "read_pj")]["source"] == arch.sources["L2.read_pj"] and rows[("L2", "read_pj")]["unit"] == "pJ/word"
    assert rows[("compute", "operation_table")]["value"] == "horowitz-45nm"
    assert all(r["source"] for r in data["parameters"])


def test_specialized_experts_that_fit_move_less_dram_than_one_big_network():
    big = Design.from_dict({"network": {"hidden": [1024, 1024]}, "hardware": {"preset": "edge-soc"}})
    small = Design.from_dict(
        {"specialization": {"experts": 10, "grouping": "one-vs-rest", "hidden": [64, 64]}, "hardware": {"preset": "edge-soc"}}
    )
    rb, rs = evaluate(big, "synthetic:0.1"), evaluate(small, "synthetic:0.1")
    dram = lambda r: r.breakdown[r.breakdown.level == "DRAM"].bytes.sum()
    assert dram(rs) * 5 < dram(rb) and rs.energy_j * 3 < rb.energy_j


def test_every_preset_number_cites_a_source():
    for name in hardware_preset_names():
        raw = hardware_preset(name)
        sources = raw["sources"]
        for field in raw["compute"]:
            assert f"compute.{field}" in sources, (name, field)
        for level in raw["levels"]:
            for field in level:
                if field != "name":
                    assert f"{level['name']}.{field}" in sources, (name, level["name"], field)
        assert all(isinstance(text, str) and len(text) > 10 for text in sources.values())


def test_synthetic_activity_counts():
    act = synthetic_activity(dense_specs([100, 50, 10]), [10, 10], 0.2, samples=3)
    assert act.layers[0].synaptic_ops.sum() == round(0.2 * 100 * 3) * 50 * 10


def _design(**mapping) -> Design:
    return Design.from_dict({"network": {"hidden": [256]}, "mapping": mapping})


@settings(max_examples=12, deadline=None)
@given(
    preset=st.sampled_from(["edge-soc", "desktop-cpu", "loihi"]),
    batch=st.sampled_from([1, 2, 8, 24, 96, 128]),
    factor=st.sampled_from([2, 3, 4]),
    loop_order=st.sampled_from(["timestep-major", "layer-major"]),
)
def test_per_inference_energy_never_rises_when_the_batch_is_multiplied(preset, batch, factor, loop_order):
    small = _design(batch=batch, loop_order=loop_order)
    small.hardware.preset = preset
    big = _design(batch=batch * factor, loop_order=loop_order)
    big.hardware.preset = preset
    activity = synthetic_for(small, 0.1)
    assert cost_design(big, activity).energy_j <= cost_design(small, activity).energy_j * (1 + 1e-12)


def test_batch_256_runs_as_tiles_when_its_state_pushes_the_weights_out_of_l2():
    """The issue's case: 784-256-10 float32 on edge-soc; batch 256 cost 2.1x batch 128 per inference before tiling."""
    by_batch = {b: cost_design(_design(batch=b), synthetic_for(_design(batch=b), 0.1)) for b in (128, 256)}
    assert by_batch[256].energy_j <= by_batch[128].energy_j
    assert by_batch[256].batch_tile < 256


def test_a_batch_runs_as_full_tiles_and_a_smaller_last_one_priced_as_batches_of_their_sizes():
    """784-256-10 on edge-soc at rate 0.1: batches of 192 fit the L2, 256 do not, and no divisor of 256 above 128
    does. Batch 256 runs as tiles of the largest size that pays (an eighth of the batch at a time) and a last,
    smaller tile: its energy is the mix of the two sizes' energies per inference, its latency their sum, and it
    costs less per inference than the even tiles of 128 (the sawtooth of a batch sweep before uneven tiles)."""
    report = cost_design(_design(batch=256), synthetic_for(_design(batch=256), 0.1))
    tile, last = report.batch_tile, report.last_tile
    assert 128 < tile < 256 and last == 256 % tile > 0
    full, rest, even = (cost_design(_design(batch=b), synthetic_for(_design(batch=b), 0.1)) for b in (tile, last, 128))
    assert (full.batch_tile, full.last_tile, rest.batch_tile, rest.last_tile) == (tile, 0, last, 0)
    assert report.energy_j == pytest.approx((256 - last) / 256 * full.energy_j + last / 256 * rest.energy_j, rel=1e-9)
    assert report.latency_s == pytest.approx(256 // tile * full.latency_s + rest.latency_s, rel=1e-9)
    assert report.energy_j < even.energy_j
    assert report.breakdown.energy_j.sum() == pytest.approx(report.energy_j, rel=1e-9)
    assert f"tiles of {tile} and a last tile of {last}" in reference_points(report)


def test_weights_reused_only_if_they_fit_jointly_with_state_and_buffers():
    """784-320-10 float32, layer-major, batch 32 on edge-soc: layer 0's weights (1.0 MB) fit the 1 MiB L2 alone, not
    with their state and spike buffers (+ 64 KiB at 32 samples); at 16 samples they do. The pricing and the
    Report's levels table make the same joint check."""
    from snnexplorer.hardware.cost import tiled

    design = Design.from_dict({"network": {"hidden": [320]}, "mapping": {"batch": 32, "loop_order": "layer-major"}})
    activity = synthetic_for(design, 0.1)
    weights_bytes = (784 * 320 + 320) * 4
    tiles = tiled(activity, architecture_of(design), design.mapping, design.weight_bits, design.membrane_bits)
    for tile, fits_l2 in ((32, False), (16, True)):
        items, _, priced = tiles.priced(tile)
        layer0_weights = np.array([k == "weights" and layer == 0 for k, layer in zip(items.kind, items.layer)])
        assert items.working_set[layer0_weights][0] > weights_bytes
        assert bool(priced.fits[0, layer0_weights, 1][0]) is fits_l2
    report = cost_design(design, activity)
    assert report.batch_tile == 16
    dram = report.breakdown.query("level == 'DRAM' and kind == 'weights' and layer == 0")["bytes"].sum()
    assert dram == pytest.approx(weights_bytes / 16)
    assert "weights" in report.levels.set_index("level").loc["L2", "resident"]


def test_compute_energy_follows_horowitz_by_bit_width_and_format():
    from snnexplorer.hardware.operations import operation_scale

    scale = operation_scale("horowitz-45nm", np.array([32, 8, 8]), np.array([32, 8, 16]))
    assert scale[:, 0] == pytest.approx([1, 1, 1])  # float32: the preset's own figures
    assert scale[0, 1] == pytest.approx(0.03 / 0.9)  # int8 add
    assert scale[1, 1] == pytest.approx((0.2 + 0.1) / 4.6)  # int8 mult into a 32-bit accumulator
    assert scale[2, 1] == pytest.approx((0.2 + 2 * 0.03) / 5.5)  # leak mult + integrate + compare
    assert 0.03 / 0.9 < scale[0, 2] < 0.1 / 0.9  # int16 between the table's int8 and int32 adds
    assert operation_scale("none", np.array([8]), np.array([8])) == pytest.approx(np.ones((3, 1)))


@pytest.mark.parametrize("preset, follows_bits", [("edge-soc", True), ("loihi", False)])
def test_quantized_layers_spend_less_compute_energy_where_the_datapath_scales(preset, follows_bits):
    def compute_j(bits: int) -> tuple[float, float]:
        design = Design.from_dict({"hardware": {"preset": preset}, "quantization": {"weight_bits": bits, "membrane_bits": bits}})
        report = cost_design(design, synthetic_for(design, 0.1))
        accumulate = report.breakdown.query("kind == 'accumulate'")
        return float(accumulate["energy_j"].sum()), float(accumulate["accesses"].sum())

    (float_j, ops), (int8_j, ops8) = compute_j(32), compute_j(8)
    assert ops == ops8
    if follows_bits:
        assert float_j == pytest.approx(ops * 0.9e-12) and int8_j == pytest.approx(ops * 0.03e-12)
    else:
        assert int8_j == pytest.approx(float_j)


def test_partial_sums_in_memory_cost_a_read_and_a_write_per_operation():
    design = Design.from_dict({"mapping": {"accumulators": "memory"}, "quantization": {"weight_bits": 8, "membrane_bits": 16}})
    activity = synthetic_for(design, 0.1)
    report = cost_design(design, activity)
    sums = report.breakdown.query("kind == 'partial_sums' and level == 'L1'").groupby("op")["bytes"].sum()
    synops = float(activity.synaptic_ops.sum())
    assert sums["read"] == pytest.approx(synops * 2) and sums["write"] == pytest.approx(synops * 2)
    registers = cost_design(Design.from_dict({**design.to_dict(), "mapping": {"accumulators": "registers"}}), activity)
    assert report.energy_j > registers.energy_j and report.ann.energy_j > registers.ann.energy_j


def test_qnn_twin_has_log2_t_plus_one_bit_activations_and_the_sop_proxy_has_no_memory():
    design = Design.from_dict({"timesteps": 5, "quantization": {"weight_bits": 8, "membrane_bits": 16}})
    activity = synthetic_for(design, 0.1)
    report = cost_design(design, activity)
    assert report.ann.qnn_activation_bits == 3
    assert report.ann.qnn_energy_j < report.ann.energy_j  # 3-bit activations: less traffic, cheaper multiplies
    assert report.sop_proxy.energy_j == pytest.approx(activity.synaptic_ops.sum() * 0.9e-12)
    assert report.sop_proxy.ann_energy_j == pytest.approx(report.ann.macs * 4.6e-12)
    assert report.to_dict()["sop_proxy"] == dataclasses.asdict(report.sop_proxy)


@pytest.mark.parametrize("name", hardware_preset_names())
def test_a_word_never_costs_less_farther_from_compute(name):
    arch = Architecture.from_preset(name)
    for field in ("read_pj", "write_pj"):
        assert np.all(np.diff(arch.levels[field][0]) >= 0), (name, field, arch.levels[field][0])


def test_gpu_latency_pays_a_kernel_launch_per_layer_per_step():
    design = Design.from_dict({"hardware": {"preset": "gpu"}, "timesteps": [25, 10]})
    report = evaluate(design, "synthetic:0.1")
    launches = 25 + 10
    overhead = Architecture.from_preset("gpu").compute["step_overhead_s"][0]
    assert overhead > 0 and report.latency_s >= launches * overhead
    fused = evaluate(
        Design.from_dict({**design.to_dict(), "hardware": {"preset": "gpu", "overrides": {"compute.step_overhead_s": 0}}}),
        "synthetic:0.1",
    )
    assert report.latency_s - fused.latency_s == pytest.approx(launches * overhead)


def test_spikes_are_messages_to_each_core_of_a_layer_and_hop_along_loihis_mesh():
    """Hand count, 784-2048-10 at rate 0.1 on loihi (8-bit synapses, 128 KiB and 1,024 neurons per core, 4 cores a
    tile, tiles down a column of 4): the input takes core 0, layer 0 ⌈785 × 2048 B / 128 KiB⌉ = 13 cores (1-13: tiles
    0,0,0,1,1,1,1,2,2,2,2,3,3), layer 1 core 14 (tile 3). An input spike is a message to each of the 13 cores, 18
    north-south hops in all; a layer-0 spike one message, 21/13 hops on average from the 13 cores."""
    design = Design.from_dict({"network": {"hidden": [2048]}, "hardware": {"preset": "loihi"}})
    report = evaluate(design, "synthetic:0.1")
    chip = report.chip
    assert [layer.cores for layer in chip.layers] == [13, 1] and chip.cores == 15 and chip.tiles == 4
    packets = [layer.input_spikes for layer in report.layers]
    messages = report.breakdown.query("op == 'message'").set_index("layer")
    hops = report.breakdown.query("op == 'hop'").set_index("layer")
    assert messages.loc[0, "accesses"] == pytest.approx(packets[0] * 13)
    assert messages.loc[1, "energy_j"] == pytest.approx(packets[1] * 111e-12)
    assert hops.loc[0, "accesses"] == pytest.approx(packets[0] * 18)
    assert hops.loc[1, "energy_j"] == pytest.approx(packets[1] * 21 / 13 * 4.2e-12)
    # time: one core's serial work, 3.8 ns per synaptic op spread over the layer's 13 cores, 16 ns per message in
    synops = report.breakdown.query("kind == 'accumulate'").set_index("layer")
    assert synops.loc[0, "time_s"] == pytest.approx(synops.loc[0, "accesses"] * 3.8e-9 / 13)
    assert messages.loc[0, "time_s"] == pytest.approx(packets[0] * 16e-9)
    assert report.breakdown.query("level == 'SRAM'")["time_s"].sum() == 0
    assert chip.busiest_core_s <= report.latency_s
    small = evaluate(Design.from_dict({"hardware": {"preset": "loihi"}}), "synthetic:0.1")
    assert small.chip.tiles == 1 and small.breakdown.query("op == 'hop'")["accesses"].sum() == 0
    cmos = evaluate(Design.from_dict({"hardware": {"preset": "edge-soc"}}), "synthetic:0.1")
    assert cmos.breakdown.query("level == 'network-on-chip'").empty and cmos.chip is None  # no cores


def test_layers_that_need_more_cores_than_the_chip_has_are_infeasible_with_the_count():
    """Three 64-channel 3×3 conv layers on 28×28 (50,176 neurons each: 49 cores of 1,024), the readout (501,770 8-bit
    synapses: ⌈501,770 B / 128 KiB⌉ = 4 cores) and the input (one core) need 152 cores; Loihi has 128, though all the
    weights fit its 16 MiB of SRAM. One conv layer (1 + 49 + 4 cores) fits."""
    conv = {"conv": {"channels": 64, "kernel": 3, "padding": 1}}
    design = Design.from_dict({"network": {"layers": [conv, conv, conv]}, "hardware": {"preset": "loihi"}})
    report = evaluate(design, "synthetic:0.05")
    assert not report.feasible
    assert any("need 152 cores" in reason and "the chip has 128" in reason for reason in report.reasons), report.reasons
    assert evaluate(Design.from_dict({"network": {"layers": [conv]}, "hardware": {"preset": "loihi"}}), "synthetic:0.05").feasible


def test_truenorth_runs_on_its_one_millisecond_tick_and_prices_synaptic_events_only():
    """TrueNorth's preset is top-down (2.5 pJ per synaptic event, the whole chip's power per event; SENeCA table):
    energy = synaptic ops × 2.5 pJ; each of the T + L = 27 chip steps lasts the 1 ms tick."""
    report = evaluate(Design.from_dict({"hardware": {"preset": "truenorth"}}), "synthetic:0.1")
    assert report.feasible
    assert report.energy_j == pytest.approx(report.synaptic_ops * 2.5e-12)
    assert report.latency_s == pytest.approx(27e-3)
    # 785 × 256 binary synapses fill ⌈25,120 B / 8 KiB⌉ = 4 cores; 784 inputs take ⌈784 / 256⌉ = 4
    assert [layer.cores for layer in report.chip.layers] == [4, 1]
    assert report.chip.input_cores == 4


def test_a_report_and_its_tables_display_in_units_and_compute_in_si():
    """A notebook shows a Report, its breakdowns and the comparison in the dashboard's units; the numbers stay SI."""
    report = evaluate(base_design(), "synthetic:0.1")
    table = report.by("level", "kind")
    assert table["energy_j"].sum() == pytest.approx(report.energy_j)  # joules, for computing
    shown = table._repr_html_()
    assert "µJ" in shown and "µs" in shown and "KiB" in shown and "e-0" not in shown
    assert type(table[table["kind"] == "weights"]).__name__ == "UnitFrame"  # a slice still displays in units
    page = report._repr_html_()
    assert f"{report.energy_j * 1e6:.3g} µJ" in page and "Energy / inference" in page and "SNN / ANN energy" in page


def _weights_beyond_chip_j(report) -> float:
    return float(report.breakdown.query("kind == 'weights' and level == 'DRAM'").energy_j.sum())


@pytest.mark.parametrize("batch", [1, 32])
def test_resident_weights_that_fit_on_chip_cross_dram_no_more_and_nothing_else_changes(batch):
    """784-128-64-10 float32 (0.43 MB of weights) on edge-soc fits its 1 MiB L2 with its state and buffers: resident,
    its weights are loaded once, not per batch: no DRAM weight reads and no L2 weight fills per inference; every
    other row of the breakdown (but leakage, over a shorter latency) is what it is when they are fetched per batch."""
    per_batch = base_design(mapping={"batch": batch})
    resident = base_design(mapping={"batch": batch, "residency": "resident"})
    activity = synthetic_for(per_batch, 0.1)
    fetched, kept = cost_design(per_batch, activity), cost_design(resident, activity)
    assert _weights_beyond_chip_j(fetched) > 0 and _weights_beyond_chip_j(kept) == 0
    rows = "not (kind == 'weights' and (level == 'DRAM' or (level == 'L2' and op == 'write'))) and level != 'static'"
    same = [r.breakdown.query(rows).groupby(["layer", "level", "kind", "op"]).energy_j.sum() for r in (fetched, kept)]
    assert np.allclose(*same, rtol=1e-12, atol=0)
    assert kept.breakdown.query("kind == 'weights' and level == 'L2' and op == 'write'").energy_j.sum() == 0
    assert kept.energy_j < fetched.energy_j - _weights_beyond_chip_j(fetched) and kept.latency_s <= fetched.latency_s
    assert kept.breakdown.energy_j.sum() == pytest.approx(kept.energy_j, rel=1e-9)
    assert (kept.mapping.weights_kept_in, fetched.mapping.weights_kept_in) == ("L2", None)
    assert "weights kept in L2 between batches" in reference_points(kept)
    assert kept.ann.energy_j < fetched.ann.energy_j  # the ANN twin's weights stay on chip too


def test_resident_weights_that_do_not_fit_on_chip_are_fetched_for_every_batch_and_say_so():
    """784-1024-1024-10 float32 holds 7.4 MB of weights, more than edge-soc's L2: residency changes nothing."""
    designs = [base_design(network={"hidden": [1024, 1024]}, mapping={"residency": r}) for r in ("per-batch", "resident")]
    activity = synthetic_for(designs[0], 0.1)
    fetched, kept = (cost_design(d, activity) for d in designs)
    assert kept.energy_j == fetched.energy_j and kept.mapping.weights_kept_in is None
    assert "weights fetched for every batch (they do not fit on chip with the state)" in reference_points(kept)


def test_a_forced_weights_level_is_where_resident_weights_stay():
    design = base_design(mapping={"residency": "resident", "weights_level": "L2"})
    report = cost_design(design, synthetic_for(design, 0.1))
    assert report.mapping.weights_kept_in == "L2"
    with pytest.raises(DesignError, match=r"mapping\.residency.*forever.*per-batch.*resident"):
        Design.from_dict({"mapping": {"residency": "forever"}})


def test_weight_tiles_split_a_convolution_by_its_output_channels():
    """mnist-conv, layer-major: in k tiles the first conv layer keeps one block of its weights, state and output buffer
    beside its whole input buffer, and reads its input once per block; its 12 output channels allow at most 12 blocks
    (64 asked is 12). The synthetic activity knows the channels, as the engine's does."""
    from snnexplorer.hardware.cost import tiled

    design = load_design("mnist-conv")
    activity = synthetic_for(design, 0.1)
    assert [layer.channels for layer in activity.layers] == [12, 32, 0, 0]

    def first_layer(tiles: int) -> tuple[float, float]:
        mapping = design.copy(mapping={**design.mapping.to_dict(), "weight_tiles": tiles, "batch": 1}).mapping
        items, _, _ = tiled(activity, architecture_of(design), mapping, design.weight_bits, design.membrane_bits).priced(1)
        row = [i for i, (kind, layer) in enumerate(zip(items.kind, items.layer)) if kind == "weights" and layer == 0][0]
        inputs = [i for i, (kind, layer) in enumerate(zip(items.kind, items.layer)) if kind == "inputs" and layer == 0][0]
        return float(items.working_set[row]), float(items.read_use[inputs])

    (whole, read_once), (quarter, read_four), (twelve, _), (asked_64, read_64) = map(first_layer, (1, 4, 12, 64))
    buffer_in = 0.0  # layer 0 reads the network's input, which streams in and holds no buffer
    assert quarter - buffer_in == pytest.approx((whole - buffer_in) / 4)
    assert asked_64 == pytest.approx(twelve) and read_64 == pytest.approx(12 * read_once)
    assert read_four == pytest.approx(4 * read_once)
