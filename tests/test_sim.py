import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from snnexplorer.errors import DesignError
from snnexplorer.sim import engine, resample, simulate
from snnexplorer.sim.quantize import beta_fixed, quantize_layer
from snnexplorer.train.model import LIF, SpikingMLP, fixed_lif_scan


def random_net(sizes, seed=0, gain=2.5):
    rng = np.random.default_rng(seed)
    return [
        (rng.normal(0, gain / np.sqrt(a), (a, b)).astype(np.float32), rng.normal(0, 0.05, b).astype(np.float32))
        for a, b in zip(sizes[:-1], sizes[1:])
    ]


def spikes_at(rate, shape, seed=1):
    return (np.random.default_rng(seed).random(shape) < rate).astype(np.uint8)


def numpy_reference(layers, spikes, beta, threshold, reset="subtract"):
    """Plain timestep-major numpy simulation: every layer each step. Independent of the engine."""
    n, steps, _ = spikes.shape
    v = [np.zeros((n, w.shape[1]), np.float32) for w, _ in layers[:-1]]
    score = np.zeros((n, layers[-1][0].shape[1]), np.float32)
    synops, out_spikes = np.zeros(len(layers), np.int64), np.zeros(len(layers), np.int64)
    for t in range(steps):
        x = spikes[:, t].astype(np.float32)
        for i, (w, b) in enumerate(layers):
            synops[i] += int(x.sum()) * w.shape[1]
            current = x @ w + b
            if i == len(layers) - 1:
                score += current
                continue
            v[i] = np.float32(beta) * v[i] + current
            s = (v[i] >= threshold).astype(np.float32)
            v[i] = np.where(s > 0, 0, v[i]) if reset == "zero" else v[i] - np.float32(threshold) * s
            out_spikes[i] += int(s.sum())
            x = s
    return score, synops, out_spikes


@pytest.mark.parametrize("path", ["event", "dense"])
@pytest.mark.parametrize("reset", ["subtract", "zero"])
def test_engine_matches_plain_timestep_major_reference(path, reset):
    layers = random_net([100, 80, 60, 10])
    x = spikes_at(0.15, (300, 20, 100))
    act = simulate(layers, x, beta=0.9, threshold=1.0, reset=reset, path=path)
    score, synops, out_spikes = numpy_reference(layers, x, 0.9, 1.0, reset)
    assert (act.predictions == score.argmax(1)).mean() >= 0.99
    spikes = np.array([l.output_spikes.sum() for l in act.layers])
    assert np.all(np.abs(spikes - out_spikes) <= 0.001 * out_spikes + 1)
    assert np.all(np.abs(act.synaptic_ops - synops) <= 0.001 * synops)
    assert act.paths == [path, path, "counts"]  # the float output layer integrates spike counts


def test_counters_are_exact_against_independent_count():
    layers = random_net([50, 40, 10], seed=3)
    x = spikes_at(0.2, (64, 12, 50), seed=4)
    act = simulate(layers, x, path="event")
    assert act.layers[0].input_spikes.tolist() == x.sum(axis=(0, 2)).tolist()
    assert act.synaptic_ops[0] == int(x.sum()) * 40
    hidden_counts = act.layer_spikes[0]
    assert act.synaptic_ops[1] == int(hidden_counts.sum()) * 10
    assert act.layers[1].input_spikes.sum() == act.layers[0].output_spikes.sum() == hidden_counts.sum()
    assert act.neuron_updates.tolist() == [64 * 12 * 40, 64 * 12 * 10]
    steps_with_input = (x.sum(axis=2) > 0).sum(axis=0)
    assert act.layers[0].neuron_updates_event.tolist() == (steps_with_input * 40).tolist()


def test_zero_input_gives_zero_synaptic_ops_and_bias_only_scores():
    layers = random_net([20, 10, 5])
    act = simulate(layers, np.zeros((4, 6, 20), np.uint8))
    assert act.synaptic_ops[0] == 0


def test_engine_agrees_with_torch_model_float32():
    sizes = [784, 256, 10]
    layers = random_net(sizes, seed=5)
    model = SpikingMLP(sizes, LIF(0.9, 1.0))
    with torch.no_grad():
        for lin, (w, b) in zip(model.layers, layers):
            lin.weight.copy_(torch.from_numpy(w.T))
            lin.bias.copy_(torch.from_numpy(b))
        x = spikes_at(0.1, (1000, 25, 784), seed=6)
        score = model(torch.from_numpy(x).float()).numpy()
        hidden = model.layers[0](torch.from_numpy(x).float())
    act = simulate(layers, x)
    assert (act.predictions == score.argmax(1)).mean() >= 0.999
    from snnexplorer.train.model import lif_scan

    torch_spikes = float(lif_scan(hidden, LIF(0.9, 1.0)).sum())
    assert abs(act.layers[0].output_spikes.sum() - torch_spikes) <= 0.001 * torch_spikes


def torch_fixed_reference(layers, spikes, beta, threshold, w_bits, v_bits):
    x = torch.from_numpy(spikes).double()
    for i, (w, b) in enumerate(layers):
        q = quantize_layer(w, b, threshold, w_bits, v_bits)
        current = x @ torch.from_numpy(q.weight) + torch.from_numpy(q.bias)
        if i == len(layers) - 1:
            score = torch.zeros_like(current[:, 0])
            for t in range(current.shape[1]):
                score = torch.clamp(score + current[:, t], q.v_min, q.v_max)
            return score.numpy() * q.scale
        x = fixed_lif_scan(current, beta_fixed(beta), q.threshold, q.v_min, q.v_max, False)


@pytest.mark.parametrize("w_bits, v_bits", [(8, 16), (4, 12), (2, 8), (1, 10)])
@pytest.mark.parametrize("path", ["event", "dense"])
def test_fixed_point_is_identical_to_torch(w_bits, v_bits, path):
    layers = random_net([120, 64, 32, 10], seed=7)
    x = spikes_at(0.2, (200, 15, 120), seed=8)
    act = simulate(layers, x, weight_bits=w_bits, membrane_bits=v_bits, path=path)
    expected = torch_fixed_reference(layers, x, 0.9, 1.0, w_bits, v_bits)
    assert np.array_equal(act.output_potential, expected)
    assert np.array_equal(act.predictions, expected.argmax(1))


def test_uniform_per_layer_timesteps_equal_plain_simulation():
    layers = random_net([60, 50, 40, 10])
    x = spikes_at(0.2, (50, 16, 60))
    plain = simulate(layers, x)
    per_layer = simulate(layers, x, timesteps=[16, 16, 16])
    assert np.array_equal(plain.output_potential, per_layer.output_potential)
    assert [l.output_spikes.tolist() for l in plain.layers] == [l.output_spikes.tolist() for l in per_layer.layers]


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 30), st.integers(1, 30), st.integers(0, 2**16))
def test_rate_resampling_preserves_spike_counts(source, target, seed):
    x = spikes_at(0.3, (3, source, 7), seed=seed)
    y = resample(x, target)
    assert y.shape == (3, target, 7)
    assert np.array_equal(x.sum(axis=1), y.sum(axis=1, dtype=np.int64))
    if target >= source:
        assert y.max(initial=0) <= 1


def test_disaggregated_timesteps_count_graded_inputs_as_spikes():
    layers = random_net([40, 30, 20, 10])
    x = spikes_at(0.3, (40, 20, 40))
    act = simulate(layers, x, timesteps=[20, 5, 10])
    assert [l.timesteps for l in act.layers] == [20, 5, 10]
    # layer 1 receives layer 0's spikes squeezed into 5 steps: counts preserved, each a synaptic op
    assert act.layers[1].input_spikes.sum() == act.layers[0].output_spikes.sum()
    assert act.synaptic_ops[1] == act.layers[1].input_spikes.sum() * 20
    assert act.neuron_updates.tolist() == [40 * 20 * 30, 40 * 5 * 20, 40 * 10 * 10]


def test_synthetic_activity_retimes_layers_like_the_engine():
    from snnexplorer.sim.synthetic import synthetic_activity
    from snnexplorer.topology import dense_specs

    uniform = synthetic_activity(dense_specs([784, 256, 128, 10]), [25, 25, 25], 0.1)
    ld = synthetic_activity(dense_specs([784, 256, 128, 10]), [25, 15, 10], 0.1)
    for act in (uniform, ld):  # the engine's invariant (test above): a layer's input is the previous layer's output
        for index in (1, 2):
            assert act.layers[index].input_spikes.sum() == act.layers[index - 1].output_spikes.sum()
    # layer 1 still receives layer 0's 25 steps of spikes: running 15 steps saves it no synaptic op
    assert ld.synaptic_ops[1] == uniform.synaptic_ops[1]
    assert ld.synaptic_ops[2] == pytest.approx(uniform.synaptic_ops[2] * 15 / 25, rel=0.01)
    assert ld.neuron_updates.tolist() == [25 * 256, 15 * 128, 10 * 10]


def test_direct_encoding_takes_dense_path_and_counts_macs():
    layers = random_net([30, 20, 10])
    x = np.random.default_rng(0).random((10, 5, 30)).astype(np.float32)
    act = simulate(layers, x)
    assert act.paths[0] == "dense" and act.layers[0].analog_input
    assert act.synaptic_ops[0] == int((x != 0).sum()) * 20


def test_auto_path_picks_by_density():
    layers = random_net([200, 100, 10])
    sparse = simulate(layers, spikes_at(0.01, (20, 10, 200)))
    dense = simulate(layers, spikes_at(0.6, (20, 10, 200)))
    assert sparse.paths[0] == "event" and dense.paths[0] == "dense"


def test_bad_arguments_are_clear_errors():
    layers = random_net([10, 5, 2])
    with pytest.raises(DesignError, match="timesteps"):
        simulate(layers, spikes_at(0.1, (2, 4, 10)), timesteps=[4, 4, 4])
    with pytest.raises(DesignError, match="spikes"):
        simulate(layers, spikes_at(0.1, (2, 4, 11)))
    with pytest.raises(DesignError, match="reset"):
        simulate(layers, spikes_at(0.1, (2, 4, 10)), reset="soft")


@pytest.mark.parametrize("dtype, max_count", [(np.uint8, 1), (np.uint8, 200), (np.uint16, 300)])
def test_event_path_equals_dense_path_exactly_on_integer_weights(dtype, max_count, monkeypatch):
    """Integer-valued weights make every summation order exact, so both paths must agree bit for bit.

    Covers graded counts (8- and 16-bit lanes), an input width that is not a whole word (101: whole 64-byte
    groups listed by vector compare, then a partial one word by word), a hidden layer wider than one weight
    tile (700 columns: a full tile and a partial one), and a dense product taken in several blocks.
    """
    monkeypatch.setattr(engine, "DENSE_BLOCK", 16)  # 13 × 6 (sample, step) rows: five blocks, the last partial
    rng = np.random.default_rng(5)
    sizes = [101, 700, 9]
    layers = [
        (rng.integers(-3, 4, (a, b)).astype(np.float32), rng.integers(-2, 3, b).astype(np.float32))
        for a, b in zip(sizes[:-1], sizes[1:])
    ]
    counts = rng.integers(0, max_count + 1, (13, 6, 101)) * (rng.random((13, 6, 101)) < 0.3)
    x = counts.astype(dtype)
    event = simulate(layers, x, beta=0.5, threshold=4.0, path="event")
    dense = simulate(layers, x, beta=0.5, threshold=4.0, path="dense")
    assert np.array_equal(event.output_potential, dense.output_potential)
    assert np.array_equal(event.layer_spikes[0], dense.layer_spikes[0])
    assert (
        event.synaptic_ops.tolist()
        == dense.synaptic_ops.tolist()
        == [int(counts.sum()) * 700, int(event.layer_spikes[0].sum()) * 9]
    )


def torch_conv_reference(conv, fc, x, beta, threshold):
    """Step-by-step torch: conv2d → LIF (subtract reset) → max-pool → flatten → linear integrator; float64."""
    import torch.nn.functional as F

    w = torch.from_numpy(conv.weight).double()
    b = torch.from_numpy(conv.bias).double()
    n, steps, _ = x.shape
    inputs = torch.from_numpy(x.astype(np.float64)).reshape(n, steps, *conv.input_shape)
    v = torch.zeros(n, conv.channels, *conv.map_shape, dtype=torch.float64)
    counts = torch.zeros_like(v)
    score = torch.zeros(n, fc[0].shape[1], dtype=torch.float64)
    synops, sent = 0, 0
    ones = torch.ones(1, 1, conv.kernel, conv.kernel, dtype=torch.float64)
    for t in range(steps):
        s_in = inputs[:, t]
        fan_in = F.conv2d(
            (s_in != 0).double() * s_in, ones.expand(1, conv.input_shape[0], -1, -1), stride=conv.stride, padding=conv.padding
        )
        synops += int(fan_in.sum()) * conv.channels  # each output position counts the input spikes it reads
        v = beta * v + F.conv2d(s_in, w, b, stride=conv.stride, padding=conv.padding)
        s = (v >= threshold).double()
        v = v - threshold * s
        counts += s
        pooled = F.max_pool2d(s, conv.pool) if conv.pool > 1 else s
        sent += int(pooled.sum())
        score += pooled.flatten(1) @ torch.from_numpy(fc[0]).double() + torch.from_numpy(fc[1]).double()
    return score.numpy(), counts.flatten(1).numpy(), synops, sent


@pytest.mark.parametrize("size, kernel, stride, padding, pool", [(12, 3, 1, 1, 2), (13, 3, 2, 0, 1), (15, 4, 1, 0, 3)])
def test_conv_layer_matches_torch_conv2d_exactly(size, kernel, stride, padding, pool):
    from snnexplorer.sim import Conv

    rng = np.random.default_rng(size)
    conv = Conv(
        rng.integers(-2, 3, (6, 2, kernel, kernel)).astype(np.float32),
        rng.integers(-1, 2, 6).astype(np.float32),
        (2, size, size),
        stride=stride,
        padding=padding,
        pool=pool,
    )
    fc = (rng.integers(-2, 3, (conv.n_out, 4)).astype(np.float32), rng.integers(-1, 2, 4).astype(np.float32))
    x = (rng.random((6, 9, conv.n_in)) < 0.25).astype(np.uint8)
    act = simulate([conv, fc], x, beta=0.5, threshold=3.0)
    score, counts, synops, sent = torch_conv_reference(conv, fc, x, 0.5, 3.0)
    assert np.array_equal(act.output_potential, score)
    assert np.array_equal(act.layer_spikes[0], counts)
    assert act.synaptic_ops[0] == synops > 0
    assert act.layers[0].output_spikes.sum() == sent == act.layers[1].input_spikes.sum()
    assert act.synaptic_ops[1] == sent * 4
    assert act.layers[0].n_out == conv.n_neurons and act.layers[0].parameters == conv.weight.size + conv.channels


def test_conv_layers_chain_quantize_and_take_analog_input():
    from snnexplorer.sim import Conv

    rng = np.random.default_rng(1)
    first = Conv(rng.normal(0, 0.5, (4, 3, 3, 3)).astype(np.float32), np.zeros(4, np.float32), (3, 8, 8), padding=1, pool=2)
    second = Conv(rng.normal(0, 0.5, (8, 4, 3, 3)).astype(np.float32), np.zeros(8, np.float32), first.output_shape, padding=1)
    fc = (rng.normal(0, 0.5, (second.n_out, 3)).astype(np.float32), np.zeros(3, np.float32))
    analog = rng.random((4, 5, first.n_in)).astype(np.float32)
    act = simulate([first, second, fc], analog)
    assert act.layers[0].analog_input and act.synaptic_ops[0] == 4 * 5 * first.connections  # every pixel non-zero
    fixed = simulate([first, second, fc], (analog > 0.5).astype(np.uint8), weight_bits=[8, 8, 8], membrane_bits=[16, 16, 16])
    again = simulate([first, second, fc], (analog > 0.5).astype(np.uint8), weight_bits=[8, 8, 8], membrane_bits=[16, 16, 16])
    assert np.array_equal(fixed.output_potential, again.output_potential) and fixed.output_potential.any()
    with pytest.raises(DesignError, match=r"layers\[1\]"):
        simulate([first, fc], analog)
    with pytest.raises(DesignError, match="conv.pool"):
        Conv(first.weight, first.bias, (3, 8, 8), padding=1, pool=3)


def test_conv_fixed_point_equals_float_when_quantization_is_exact():
    """Integer weights with max |w| = 127 quantize to themselves at 8 bits (scale 1); β = 1 makes the fixed-point leak
    exact too, so the integer kernel must reproduce the float one bit for bit."""
    from snnexplorer.sim import Conv

    rng = np.random.default_rng(3)
    weight = rng.integers(-127, 128, (4, 2, 3, 3)).astype(np.float32)
    weight[0, 0, 0, 0] = 127
    conv = Conv(weight, rng.integers(-20, 21, 4).astype(np.float32), (2, 8, 8), padding=1, pool=2)
    out_weight = rng.integers(-127, 128, (conv.n_out, 3)).astype(np.float32)
    out_weight[0, 0] = 127
    layers = [conv, (out_weight, np.zeros(3, np.float32))]
    x = (rng.random((5, 6, conv.n_in)) < 0.3).astype(np.uint8)
    exact = simulate(layers, x, beta=1.0, threshold=300.0)
    fixed = simulate(layers, x, beta=1.0, threshold=300.0, weight_bits=8, membrane_bits=24)
    assert np.array_equal(exact.output_potential, fixed.output_potential)
    assert np.array_equal(exact.layer_spikes[0], fixed.layer_spikes[0]) and exact.layer_spikes[0].any()
