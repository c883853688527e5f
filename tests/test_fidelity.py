"""The cost model against published models and tools (snnexplorer.hardware.fidelity; benchmarks/fidelity.py prints
every case)."""

import pytest

from snnexplorer.hardware import Architecture
from snnexplorer.hardware.fidelity import breakeven_rate, ottati_case, ottati_reference_j, zigzag_case


def test_ottati_layer_reproduced_within_one_percent_under_his_mapping():
    ann_ref, snn_ref = ottati_reference_j()
    assert (round(ann_ref * 1e6, 1), round(snn_ref * 1e6, 1)) == (823.0, 461.2)  # what his script prints
    for case in ottati_case():
        assert abs(case.error) < 0.01, case


@pytest.mark.slow  # ZigZag
@pytest.mark.parametrize("accumulators", ["registers", "memory"])
def test_fully_connected_layer_agrees_with_zigzag_within_five_percent(accumulators):
    pytest.importorskip("zigzag")
    case = zigzag_case("dense", accumulators)
    assert abs(case.error) < 0.05, case


@pytest.mark.slow  # ZigZag
def test_conv_layer_agrees_with_zigzag_within_five_percent_under_its_weight_stationary_dataflow():
    """ZigZag's best conv mapping holds each weight while it sweeps the output positions (each weight read once)
    and re-reads an input per window; ours, told the same (``weight_reuse: stationary``, ``input_reuse:
    per-operation``), moves the same words, and agrees on the energy."""
    pytest.importorskip("zigzag")
    case = zigzag_case("conv", "registers")
    assert abs(case.error) < 0.05, case


@pytest.mark.slow  # ZigZag
def test_at_each_mappers_best_dense_and_conv_layers_agree_with_zigzag():
    """Our best of every reuse choice against ZigZag's own search, partial sums in registers: within 5 % for a fully
    connected and a conv layer (the same words move at both bests). The conv layer was 28 % cheaper in ours while a
    weight held stationary could also read each input once per layer; nothing below the innermost level holds a
    layer's inputs, so a shared kernel held stationary now reads its inputs per operation, as ZigZag's mapper does
    (docs/hardware-model.md). Without that rule this test fails."""
    pytest.importorskip("zigzag")
    from snnexplorer.mapping_search import mapping_space

    flows = mapping_space(("input_reuse", "weight_reuse"))
    for accumulators in ("registers", "memory"):
        assert abs(zigzag_case("dense", accumulators, flows).error) < 0.05
    best, told = zigzag_case("conv", "registers", flows), zigzag_case("conv", "registers")
    assert abs(best.error) < 0.05 and best.model_j == pytest.approx(told.model_j, rel=1e-3), best


@pytest.mark.slow  # ZigZag
def test_partial_sums_in_memory_cost_more_in_both_models():
    pytest.importorskip("zigzag")
    registers, memory = zigzag_case("dense", "registers"), zigzag_case("dense", "memory")
    assert memory.model_j > registers.model_j and memory.reference_j > registers.reference_j


def test_snn_beats_its_dense_qnn_twin_below_about_one_spike_per_window():
    """With the weights on chip either way, an SNN reads a weight per spike and the QNN each weight once: the
    break-even rate is close to 1/T (20 % at T = 5), well above Yan et al.'s 5.7 %, whose model adds costs ours
    lacks (README, "How far to trust the numbers")."""
    arch = Architecture.from_preset("edge-soc")
    for steps in (5, 10):
        assert breakeven_rate(arch, [784, 256, 256, 10], steps) == pytest.approx(1 / steps, rel=0.05)


@pytest.mark.parametrize("preset", ["mnist-baseline", "fashion-conv", "smnist-recurrent"])
def test_neurobench_metrics_equal_the_neurobench_package_on_the_snntorch_twin(preset):
    """Rate-coded dense, direct-coded conv and row-by-row recurrent (two RLeaky layers, analog rows in): every metric
    `evaluate` reports under NeuroBench's names equals what the neurobench package computes on the snnTorch twin of
    the same trained network and input."""
    pytest.importorskip("neurobench")
    from snnexplorer.design import load_design
    from snnexplorer.interop.neurobench_twin import neurobench_comparison

    rows = {name: (ours, theirs, note) for name, ours, theirs, note in neurobench_comparison(load_design(preset), 100)}
    ours, theirs, note = rows.pop("footprint_bytes")
    assert theirs - ours == int(note.split()[2]) > 0  # NeuroBench also counts the snnTorch neurons' buffers
    assert rows["synaptic_operations.Effective_ACs"][0] > 0 and 0 < rows["activation_sparsity"][0] < 1
    for name, (ours, theirs, _) in rows.items():
        assert ours == pytest.approx(theirs, rel=1e-6, abs=1e-9), name


@pytest.mark.slow  # ZigZag
def test_the_conv_gap_with_partial_sums_in_sram_is_zigzags_narrower_lanes():
    """The one case out of tolerance (−20.6 %), taken apart from ZigZag's own breakdown: its one 64-bit SRAM port also
    carries the 32-bit partial sums, so it computes 2 output channels side by side instead of 8, and each input read
    serves 2 instead of 8: the extra SRAM input energy is the whole gap to ours (within 2 %), and the partial sums'
    SRAM energy agrees with ours (within 1 %). Our model has no lanes, so it does not follow ZigZag there."""
    pytest.importorskip("zigzag")
    from snnexplorer.hardware.fidelity import zigzag_port_gap

    gap = zigzag_port_gap()
    assert (gap.lanes_registers, gap.lanes_sram) == (8, 2)
    assert gap.gap_j == pytest.approx(gap.extra_input_j, rel=0.02)
    assert gap.partial_sums_j == pytest.approx(gap.ours_partial_sums_j, rel=0.01)
