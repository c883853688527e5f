import numpy as np
import pytest

from snnexplorer import data
from snnexplorer.design import Design
from snnexplorer.errors import DesignError, TrainingCancelled
from snnexplorer.stdp import reference
from snnexplorer.stdp.kernel import COUNTERS, infer_samples, poisson_schedule, present, uniform
from snnexplorer.stdp.learn import assign_labels, classify, responses, train
from snnexplorer.stdp.rule import STDPRule, initial_weights, input_rates

STEPS = 200


@pytest.fixture(scope="module")
def mnist():
    train_split, test_split = data.load("mnist", "train"), data.load("mnist", "test")
    return train_split, test_split


def kernel_present(rates, weights, theta, learn, rule, stream=3):
    counters = np.zeros((len(COUNTERS), STEPS), dtype=np.int64)
    counts = np.zeros(weights.shape[1], dtype=np.int64)
    total = present(rates, 7, stream, STEPS, weights, theta, learn, rule.kernel_args(), counters, counts)
    return total, counts, counters


@pytest.mark.parametrize(
    "rule",
    [
        STDPRule.diehl_cook(),
        STDPRule.fspinn(update_interval=20),
        STDPRule.diehl_cook(weight_bits=8),
        STDPRule.fspinn(weight_bits=4, rounding="nearest"),
    ],
    ids=["dc", "fspinn", "dc-8bit", "fspinn-4bit"],
)
def test_kernel_equals_plain_numpy_network(mnist, rule):
    """The event-driven kernel and the step-vectorized numpy network agree: same spikes, same counters, same weights."""
    train_split, _ = mnist
    rates = input_rates(train_split.x[:3]) * 2.0  # a strong input: many spikes and updates in 200 steps
    w_kernel = initial_weights(784, 30, 1)
    if rule.weight_bits < 32:
        w_kernel = np.round(w_kernel * (2**rule.weight_bits - 1)) / (2**rule.weight_bits - 1)
    w_numpy, theta_kernel, theta_numpy = w_kernel.copy(), np.zeros(30), np.zeros(30)
    for sample, r in enumerate(rates):
        got = kernel_present(r, w_kernel, theta_kernel, True, rule, stream=sample)
        want = reference.present(r, 7, sample, STEPS, w_numpy, theta_numpy, True, rule)
        assert got[0] == want[0] > 0
        assert np.array_equal(got[1], want[1])
        assert np.array_equal(got[2], want[2])
    assert got[2][COUNTERS.index("weight_updates")].sum() > 0
    np.testing.assert_allclose(w_kernel, w_numpy, rtol=0, atol=1e-12)
    np.testing.assert_allclose(theta_kernel, theta_numpy, rtol=0, atol=1e-12)
    if rule.weight_bits < 32:
        levels = 2**rule.weight_bits - 1
        np.testing.assert_allclose(w_kernel * levels, np.round(w_kernel * levels), atol=1e-9)


def test_poisson_trains_have_the_asked_rate_and_repeat_exactly():
    rates = np.full(784, 0.02)
    step_start, inputs = poisson_schedule(rates, 1, 5, 2000)
    assert step_start[-1] == pytest.approx(784 * 2000 * 0.02, rel=0.03)
    again = poisson_schedule(rates, 1, 5, 2000)
    assert np.array_equal(inputs, again[1]) and np.array_equal(step_start, again[0])
    other = poisson_schedule(rates, 1, 6, 2000)[1]
    assert not np.array_equal(inputs[:100], other[:100])
    u = np.array([uniform(3, 9, i) for i in range(5)])
    assert np.array_equal(u, reference.uniform(3, 9, np.arange(5)))


def test_fspinn_switches_cut_the_operations_they_target(mnist):
    train_split, _ = mnist
    rates = input_rates(train_split.x[:1])[0]
    runs = {}
    for name, rule in {
        "dc": STDPRule.diehl_cook(),
        "direct": STDPRule.diehl_cook(inhibitory_neurons=False),
        "post-only": STDPRule.diehl_cook(pre_depression=False, eta_post=0.002, x_tar=0.2),
    }.items():
        runs[name] = kernel_present(rates, initial_weights(784, 50, 0), np.zeros(50), True, rule)[2]
    row = {name: COUNTERS.index(name) for name in COUNTERS}
    assert runs["dc"][row["neuron_updates"]].sum() == 2 * runs["direct"][row["neuron_updates"]].sum() == 2 * 50 * STEPS
    assert runs["direct"][row["inhibitory_spikes"]].sum() == 0 < runs["dc"][row["inhibitory_spikes"]].sum()
    # Diehl & Cook writes N weights per input spike; the post-only rule only 784 per excitatory spike
    assert runs["dc"][row["weight_updates"]].sum() >= runs["dc"][row["input_spikes"]].sum() * 50
    post_only = runs["post-only"]
    assert post_only[row["weight_updates"]].sum() == post_only[row["output_spikes"]].sum() * 784
    for counters in runs.values():
        assert np.array_equal(counters[row["synaptic_ops"]], counters[row["input_spikes"]] * 50)


def test_unsupervised_learning_beats_chance_by_far(mnist):
    train_split, test_split = mnist
    rule = STDPRule.fspinn(weight_bits=8)
    weights, theta, counts = train(rule, 64, train_split.x[:600], STEPS * 2)
    assert counts.samples == 600 and counts.presentations >= 600 and counts.normalization_writes == 600 * 784 * 64
    label_counts, _ = responses(rule, weights, theta, train_split.x[:500], STEPS * 2, 0, 10**7)
    assignment = assign_labels(label_counts, train_split.y[:500], 10)
    test_counts, run = responses(rule, weights, theta, test_split.x[:300], STEPS * 2, 0, 2 * 10**7)
    accuracy = np.mean(classify(test_counts, assignment, 10) == test_split.y[:300])
    assert accuracy > 0.45, accuracy  # chance is 0.10
    assert len(np.unique(assignment)) >= 6
    assert np.allclose(weights * 255, np.round(weights * 255), atol=1e-9)
    assert run.total("weight_updates") == 0  # frozen at inference


def test_inference_is_the_same_on_any_number_of_threads(mnist):
    train_split, _ = mnist
    rule = STDPRule.diehl_cook()
    weights, theta = initial_weights(784, 20, 0), np.zeros(20)
    rates = input_rates(train_split.x[:9])
    one = infer_samples(rates, np.arange(9), 0, STEPS, weights, theta, rule.kernel_args(), 1)
    two = infer_samples(rates, np.arange(9), 0, STEPS, weights, theta, rule.kernel_args(), 2)
    assert np.array_equal(one[0], two[0]) and np.array_equal(one[1], two[1]) and one[2] == two[2]


def test_cancel_stops_training(mnist):
    import threading

    event = threading.Event()
    event.set()
    with pytest.raises(TrainingCancelled):
        train(STDPRule.diehl_cook(), 10, mnist[0].x[:200], 50, cancel=event)


def test_stdp_designs_are_validated():
    base = {"network": {"hidden": [100]}, "training": {"learning_rule": "stdp"}}
    assert Design.from_dict(base).training.stdp.inhibitory_neurons
    with pytest.raises(DesignError, match="network.hidden"):
        Design.from_dict({**base, "network": {"hidden": [100, 50]}})
    with pytest.raises(DesignError, match="training.stdp.update_interval"):
        Design.from_dict({**base, "training": {"learning_rule": "stdp", "stdp": {"update_interval": 0}}})
    with pytest.raises(DesignError, match="dataset.encoding"):
        Design.from_dict({**base, "dataset": {"encoding": "direct"}})
    surrogate = Design.from_dict({"network": {"hidden": [100]}})
    assert "learning_rule" not in surrogate.stage_inputs("train")["training"]  # old designs keep their cache keys
