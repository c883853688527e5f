"""Numba kernels of the engine: one LIF layer over a whole batch, layer-major.

Two ways to get a layer's input current, one neuron update:

* :func:`lif_event` — event-driven: list each (sample, step)'s active inputs
  and add their weight rows (``count × row`` for graded inputs);
* :func:`lif_dense` — the currents were computed densely (BLAS) beforehand.

Both call :func:`_neuron_step`, so the neuron semantics (see
:mod:`snnexplorer.sim`) are written once; it is branch-free so that LLVM
vectorizes it, with separate float32 and fixed-point loops (one loop for both
had LLVM widen every float step to float64 and test the mode per neuron).
Work runs in parallel (``prange``); the kernels release the GIL (``nogil``) so
a dashboard stays responsive.

How the event kernel is laid out, and why (measured on a 2-core AVX-512
machine, ``benchmarks/sim_vs_peers.py``):

* spike trains enter as 64-bit *words* — the uint8 (or uint16) counts of
  ``[batch, T, n]`` viewed 8 (or 4) lanes to a word, ``n`` padded to a whole
  word (:func:`as_words`). The non-zero lanes of 64 bytes become one bitmask
  with a single vector compare (an LLVM intrinsic, :func:`_nonzero_mask`),
  whose set bits are taken with ``cttz``. Listing costs per event, not per
  input byte;
* the weights are read as column tiles (:func:`weight_tiles`), tile-outer over
  a group of samples, so one tile's rows are reused from cache by every event
  of the group; each slot's current (one tile wide) stays in L1 while its rows
  are added eight per pass (the bias with the first, a short last pass padded
  with a zero row) and the neuron step consumes it. This beat a
  counting sort by input (each row loaded once per block, currents in L2) by
  1.2–1.7×, and the sort's extra pass;
* hidden layers emit their spikes packed, 64 to a uint64 — the next layer's
  bitmasks as they are: an eighth of the bytes to write and read back, no
  masks to compute (3–8 % of a 784-512-256-10 run, measured in one process
  against the byte-per-spike version).

What bounds it: ``benchmarks/event_path_limits.py`` times the row additions
alone, with the real weights and with every row in L1; the additions are most
of the kernel's time, and they run at the speed the weights stream from L2/L3.

Per (sample, step) counters come back as arrays and are summed by the caller:
input spike count, whether any input arrived (event-driven neuron updates),
and output spike count.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.core import cgutils
from numba.extending import intrinsic

WORD_BYTES = 8
TILE_BYTES = 2048
"""Bytes of one weight row per output tile of the event kernel (512 float32 columns)."""


class NeuronParams(NamedTuple):
    """A LIF layer's neuron parameters, one bundle for every kernel (numba takes a NamedTuple as a typed tuple).

    Float layers use ``beta`` (leak per step, float32 like the torch model) and ``threshold``; fixed-point layers
    (``fixed``) the leak in Q16 (``beta_q``) and saturate the membrane to ``v_min``..``v_max`` (integers as floats).
    ``reset_zero``: reset to 0 after a spike, else subtract the threshold.
    """

    beta: float
    threshold: float
    reset_zero: bool
    fixed: bool
    beta_q: float
    v_min: float
    v_max: float


def padded(n: int, itemsize: int = 1) -> int:
    """``n`` lanes of ``itemsize`` bytes rounded up to whole 64-bit words."""
    lanes = WORD_BYTES // itemsize
    return -(-n // lanes) * lanes


def unpack_bits(bits: np.ndarray, n: int) -> np.ndarray:
    """Packed spikes uint64 [B, T, words] (as :func:`lif_event` emits) → uint8 [B, T, n]."""
    return np.unpackbits(bits.view(np.uint8), axis=2, count=n, bitorder="little")


def as_words(spikes: np.ndarray) -> tuple[np.ndarray, int]:
    """View uint8/uint16 counts [B, T, n] as uint64 words [B, T, words]; returns (words, bits per lane).

    Copies only when ``n`` is not a whole number of words or the array is not contiguous.
    """
    n = spikes.shape[2]
    width = padded(n, spikes.itemsize)
    if width != n:
        spikes = np.concatenate([spikes, np.zeros(spikes.shape[:2] + (width - n,), spikes.dtype)], axis=2)
    return np.ascontiguousarray(spikes).view(np.uint64), 8 * spikes.itemsize


@njit(cache=True, nogil=True, inline="always")
def _spike_buffer(n_batch, n_steps, n_out, is_output):
    """uint8 [B, T, padded(n_out)] for a layer's output spikes (width 0 for the output layer).

    Only the padding is zeroed: the neuron steps write the rest.
    """
    width = 0 if is_output else -(-n_out // WORD_BYTES) * WORD_BYTES
    out_spikes = np.empty((n_batch, n_steps, width), dtype=np.uint8)
    if width > n_out:
        out_spikes[:, :, n_out:] = 0
    return out_spikes


@njit(cache=True, nogil=True, inline="always")
def _pack_spikes(spike_bytes, n, bits, first_bit):
    """OR the 0/1 bytes ``spike_bytes[:n]`` into the bitmask words ``bits`` from bit ``first_bit`` (a multiple of 64).

    ``spike_bytes`` is zero-padded to whole 64-byte blocks; each block becomes one word with a vector compare.
    """
    words = spike_bytes.view(np.uint64)
    for k in range(-(-n // 64)):
        bits[(first_bit >> 6) + k] |= _nonzero_bytes(words, 8 * k)


@njit(cache=True, nogil=True, inline="always")
def _fire(j, x, threshold, reset_zero, v, out_row, counts):
    """Spike where ``x`` ≥ θ, reset, store ``v[j]``; returns 1 for a spike, else 0."""
    spike = x >= threshold
    out_row[j] = spike
    counts[j] += spike
    v[j] = (0.0 if reset_zero else x - threshold) if spike else x
    return np.int32(spike)


@njit(cache=True, nogil=True, inline="always")
def _neuron_step(v, current, neuron, out_row, counts, score, is_output):
    """Advance one sample's neurons by one step under ``neuron`` (:class:`NeuronParams`); returns the number of output
    spikes.

    Hidden layer: v ← leak(v) + I, saturate (fixed point), spike where v ≥ θ,
    reset (subtract θ, or to 0). Output layer: score ← score + I (no leak, no
    spike), saturated in fixed point. Float layers compute in float32 (like
    the torch model); the fixed-point and float loops are separate so that
    each vectorizes on its own types.
    """
    n_out = v.shape[0]
    beta, threshold, reset_zero, fixed, beta_q, v_min, v_max = neuron
    if is_output:
        for j in range(n_out):
            x = score[j] + current[j]
            score[j] = min(max(x, v_min), v_max) if fixed else x
        return 0
    fired = np.int32(0)
    if fixed:
        for j in range(n_out):
            x = min(max(np.floor(v[j] * beta_q * (1.0 / 65536.0)) + current[j], v_min), v_max)
            fired += _fire(j, x, threshold, reset_zero, v, out_row, counts)
    else:
        for j in range(n_out):
            fired += _fire(j, beta * v[j] + current[j], threshold, reset_zero, v, out_row, counts)
    return fired


@intrinsic
def _trailing_zeros(typingctx, word):
    """Index of the lowest set bit of a non-zero uint64 (LLVM ``cttz``, one instruction)."""
    signature = types.int64(types.uint64)

    def codegen(context, builder, sig, args):
        function_type = ir.FunctionType(ir.IntType(64), [ir.IntType(64), ir.IntType(1)])
        function = cgutils.get_or_insert_function(builder.module, function_type, "llvm.cttz.i64")
        return builder.call(function, [args[0], ir.Constant(ir.IntType(1), 1)])

    return signature, codegen


def _nonzero_mask(lane_bits: int):
    """An intrinsic (words, index) → uint64: bit k set where lane k of the 64 bytes at ``words[index:index + 8]``
    is non-zero, for lanes of ``lane_bits`` (8: 64 lanes, 16: 32). One vector compare (``vptestmb`` on AVX-512)."""

    @intrinsic
    def nonzero(typingctx, words, index):
        signature = types.uint64(words, index)

        def codegen(context, builder, sig, args):
            array = context.make_array(sig.args[0])(context, builder, args[0])
            vector_type = ir.VectorType(ir.IntType(lane_bits), 512 // lane_bits)
            pointer = builder.bitcast(builder.gep(array.data, [args[1]]), vector_type.as_pointer())
            nonzero_lanes = builder.icmp_unsigned("!=", builder.load(pointer, align=1), ir.Constant(vector_type, None))
            return builder.zext(builder.bitcast(nonzero_lanes, ir.IntType(512 // lane_bits)), ir.IntType(64))

        return signature, codegen

    return nonzero


_nonzero_bytes = _nonzero_mask(8)
_nonzero_halves = _nonzero_mask(16)


@njit(cache=True, nogil=True, inline="always")
def _nonzero_lanes(word, lane_bits):
    """Bit k set where lane k of ``word`` is non-zero (8 lanes of 8 bits, or 4 of 16)."""
    t = word | (word >> np.uint64(4))
    t |= t >> np.uint64(2)
    t |= t >> np.uint64(1)
    if lane_bits == 8:
        t &= np.uint64(0x0101010101010101)
        return (t * np.uint64(0x0102040810204080)) >> np.uint64(56)
    t |= t >> np.uint64(8)
    t &= np.uint64(0x0001000100010001)
    return (t * np.uint64(0x0001000200040008)) >> np.uint64(48) & np.uint64(15)


@njit(cache=True, nogil=True, inline="always")
def _list_events(row, lane_bits, event_input, event_count, n_events):
    """Append the (input, count) events of one step's words to the lists; returns (n_events, total count, largest count).

    Eight words (64 bytes) at a time, the non-zero lanes become one bitmask
    (:func:`_nonzero_mask`, a vector compare; the last words lane by lane with
    :func:`_nonzero_lanes`), whose set bits are taken lowest first with
    ``cttz``. With ``lane_bits`` 1 the words already are such bitmasks (packed
    spikes); their counts, all 1, are not written (:func:`_accumulate` reads
    counts only for graded input).
    """
    n_words = row.shape[0]
    if lane_bits == 1:
        first = n_events
        for g in range(n_words):
            m = row[g]
            while m != 0:
                event_input[n_events] = g * 64 + _trailing_zeros(m)
                m &= m - np.uint64(1)
                n_events += 1
        return n_events, n_events - first, 1
    lanes = 64 // lane_bits
    lane_shift = 3 if lane_bits == 8 else 2  # log2(lanes): the word of a lane by a shift, not a division
    lane_mask = np.uint64((1 << lane_bits) - 1)
    total = 0
    largest = 0
    for g in range(n_words // 8 + 1):
        if 8 * g + 8 <= n_words:
            m = _nonzero_bytes(row, 8 * g) if lane_bits == 8 else _nonzero_halves(row, 8 * g)
        else:
            m = np.uint64(0)
            for w in range(8 * g, n_words):
                m |= _nonzero_lanes(row[w], lane_bits) << np.uint64((w - 8 * g) * lanes)
        while m != 0:
            lane = g * 8 * lanes + _trailing_zeros(m)
            m &= m - np.uint64(1)
            c = np.int32((row[lane >> lane_shift] >> np.uint64((lane & (lanes - 1)) * lane_bits)) & lane_mask)
            event_input[n_events] = lane
            event_count[n_events] = c
            n_events += 1
            total += c
            largest = max(largest, c)
    return n_events, total, largest


@njit(cache=True, nogil=True, inline="always")
def _accumulate(current, bias, tile, inputs, counts, start, end, graded):
    """``current`` ← ``bias`` plus the weight rows (``tile[i]``, times the count when ``graded``) of events ``start:end``.

    In event order, one addition after another, so the sum is that of a
    step-by-step accumulation. Rows are added eight per pass over the current
    (the bias enters with the first pass); a last pass of fewer than eight is
    filled with the tile's last row, all zeros (adding +0.0 changes no sum).
    """
    n = current.shape[0]
    if graded or start == end:
        current[:] = bias
        for e in range(start, end):
            row = tile[inputs[e]]
            c = counts[e]
            for j in range(n):
                current[j] += c * row[j]
        return
    zero = tile.shape[0] - 1
    e = start
    while e < end:
        i0 = inputs[e]
        i1 = inputs[e + 1] if e + 1 < end else zero
        i2 = inputs[e + 2] if e + 2 < end else zero
        i3 = inputs[e + 3] if e + 3 < end else zero
        i4 = inputs[e + 4] if e + 4 < end else zero
        i5 = inputs[e + 5] if e + 5 < end else zero
        i6 = inputs[e + 6] if e + 6 < end else zero
        i7 = inputs[e + 7] if e + 7 < end else zero
        r0, r1, r2, r3, r4, r5, r6, r7 = tile[i0], tile[i1], tile[i2], tile[i3], tile[i4], tile[i5], tile[i6], tile[i7]
        if e == start:
            for j in range(n):
                current[j] = (((((((bias[j] + r0[j]) + r1[j]) + r2[j]) + r3[j]) + r4[j]) + r5[j]) + r6[j]) + r7[j]
        else:
            for j in range(n):
                current[j] = (((((((current[j] + r0[j]) + r1[j]) + r2[j]) + r3[j]) + r4[j]) + r5[j]) + r6[j]) + r7[j]
        e += 8


def weight_tiles(weight: np.ndarray, tile_bytes: int = TILE_BYTES) -> np.ndarray:
    """``weight`` [n_in, n_out] as column tiles [n_tiles, n_in + 1, tile] (the last zero-padded), ~``tile_bytes`` per row.

    A tile is a multiple of 64 columns, unless one tile holds all. Row
    ``n_in`` of every tile is zeros: :func:`_accumulate` pads a short pass with it.
    """
    n_in, n_out = weight.shape
    tile = min(n_out, max(64, tile_bytes // weight.itemsize // 64 * 64))  # whole words of packed output spikes
    n_tiles = -(-n_out // tile)
    padded_weight = np.zeros((n_in + 1, n_tiles * tile), dtype=weight.dtype)
    padded_weight[:n_in, :n_out] = weight
    return np.ascontiguousarray(padded_weight.reshape(n_in + 1, n_tiles, tile).transpose(1, 0, 2))


@njit(cache=True, nogil=True, parallel=True)
def lif_event(words, lane_bits, tiles, bias, neuron, is_output, group, threads):
    """Event-driven layer. ``words`` uint64 [B, T, n_words] (see :func:`as_words`); ``tiles`` from :func:`weight_tiles`.

    Samples are taken ``group`` at a time; each of ``threads`` workers owns its
    buffers and takes every n-th group. Per group: (1) the words of every
    (sample, step) slot become that slot's list of (input, count) events, in
    increasing input order; (2) tile by tile of output columns — so the tile's
    weights stay in cache for the whole group — each slot's current starts at
    the bias, gets the rows of its events added (:func:`_accumulate`) and
    drives the neuron step right away, while it is still in L1.

    A hidden layer's spikes come out packed, 64 to a word (bit j of word g is
    neuron 64·g + j), ready to be the next layer's ``words`` with ``lane_bits`` 1:
    an eighth of the bytes to write and read again, and no masks to compute.

    Returns (out_bits uint64 [B, T, ⌈n_out/64⌉], spike_counts int32 [B, n_out],
    score [B, n_out] (output layer; [B, 0] otherwise), in_count int64 [B, T], any_input bool [B, T],
    out_count int64 [B, T]).
    """
    n_batch, n_steps, n_words = words.shape
    rows = words.reshape(n_batch * n_steps, n_words)
    n_tiles, _, tile = tiles.shape
    n_out = bias.shape[0]
    lanes = 64 // lane_bits
    out_bits = np.zeros((n_batch, n_steps, 0 if is_output else -(-n_out // 64)), dtype=np.uint64)
    spike_counts = np.zeros((n_batch, 0 if is_output else n_out), dtype=np.int32)
    score = np.zeros((n_batch, n_out if is_output else 0), dtype=tiles.dtype)
    in_count = np.zeros((n_batch, n_steps), dtype=np.int64)
    any_input = np.zeros((n_batch, n_steps), dtype=np.bool_)
    out_count = np.zeros((n_batch, n_steps), dtype=np.int64)
    tile_bias = np.zeros(n_tiles * tile, dtype=tiles.dtype)
    tile_bias[:n_out] = bias
    n_groups = (n_batch + group - 1) // group
    n_workers = min(threads, n_groups)
    capacity = group * n_steps * n_words * lanes
    for worker in prange(n_workers):
        event_input = np.empty(capacity, dtype=np.int32)
        event_count = np.empty(capacity, dtype=np.int32)
        slot_start = np.empty(group * n_steps + 1, dtype=np.int64)
        current = np.empty(tile, dtype=tiles.dtype)
        v = np.empty(tile, dtype=tiles.dtype)
        spike_bytes = np.zeros(-(-tile // 64) * 64, dtype=np.uint8)
        for g in range(worker, n_groups, n_workers):
            first = g * group
            size = min(n_batch, first + group) - first
            n_events = 0
            largest = 0
            slot_start[0] = 0
            for s in range(size):  # (1) event lists, slot by slot
                for t in range(n_steps):
                    n_events, total, slot_largest = _list_events(
                        rows[(first + s) * n_steps + t], lane_bits, event_input, event_count, n_events
                    )
                    slot_start[s * n_steps + t + 1] = n_events
                    largest = max(largest, slot_largest)
                    in_count[first + s, t] = total
                    any_input[first + s, t] = total > 0
            for q in range(n_tiles):  # (2) tile by tile: accumulate and step
                lo = q * tile
                n_cols = min(tile, n_out - lo)
                weights = tiles[q]
                refill = tile_bias[lo : lo + tile]
                spike_bytes[n_cols:] = 0
                for s in range(size):
                    v[:] = 0
                    for t in range(n_steps):
                        k = s * n_steps + t
                        _accumulate(
                            current, refill, weights, event_input, event_count, slot_start[k], slot_start[k + 1], largest > 1
                        )
                        fired = _neuron_step(
                            v[:n_cols],
                            current[:n_cols],
                            neuron,
                            spike_bytes,
                            spike_counts[first + s, lo : lo + n_cols],
                            score[first + s, lo : lo + n_cols],
                            is_output,
                        )
                        if fired:
                            _pack_spikes(spike_bytes, n_cols, out_bits[first + s, t], lo)
                        out_count[first + s, t] += fired
    return out_bits, spike_counts, score, in_count, any_input, out_count


@njit(cache=True, nogil=True, parallel=True)
def lif_dense(currents, neuron, is_output):
    """Neuron updates over precomputed currents [B, T, n_out]; returns (out_spikes, spike_counts, score, out_count).

    ``out_spikes`` is uint8 [B, T, padded(n_out)] like :func:`lif_event`'s.
    """
    n_batch, n_steps, n_out = currents.shape
    out_spikes = _spike_buffer(n_batch, n_steps, n_out, is_output)
    spike_counts = np.zeros((n_batch, 0 if is_output else n_out), dtype=np.int32)
    score = np.zeros((n_batch, n_out if is_output else 0), dtype=currents.dtype)
    out_count = np.zeros((n_batch, n_steps), dtype=np.int64)
    dummy_row = np.zeros(n_out, dtype=np.uint8)
    for s in prange(n_batch):
        v = np.zeros(n_out, dtype=currents.dtype)
        for t in range(n_steps):
            out_row = dummy_row if is_output else out_spikes[s, t]
            out_count[s, t] = _neuron_step(v, currents[s, t], neuron, out_row, spike_counts[s], score[s], is_output)
    return out_spikes, spike_counts, score, out_count


@njit(cache=True, nogil=True, parallel=True, fastmath={"reassoc"})
def count_scores(counts, weight, bias, steps):
    """Score of a non-spiking float output layer from its inputs' spike counts: ``steps``·b + counts·W, float64 [B, n_out].

    ``counts`` int32 [B, n_in], ``weight`` [n_in, n_out]: one float64 dot
    product per (sample, output), vectorized (summation order is free). In
    numba, on the engine's own threads: a BLAS call here woke OpenBLAS's thread
    pool, whose workers then spun against the engine's next kernel on a 2-core
    machine (a whole simulation took ~2×).
    """
    n_batch, n_in = counts.shape
    n_out = weight.shape[1]
    weight_t = np.empty((n_out, n_in), dtype=np.float64)
    for i in range(n_in):
        for j in range(n_out):
            weight_t[j, i] = weight[i, j]
    score = np.empty((n_batch, n_out), dtype=np.float64)
    for s in prange(n_batch):
        row = counts[s]
        for j in range(n_out):
            column = weight_t[j]
            total = 0.0
            for i in range(n_in):
                total += row[i] * column[i]
            score[s, j] = steps * np.float64(bias[j]) + total
    return score
