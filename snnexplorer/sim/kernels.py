"""Numba kernels of the engine: one LIF layer over a whole batch, layer-major.

Two ways to get a layer's input current, one neuron update:

* :func:`lif_event` — event-driven: list each (sample, step)'s active inputs
  and add their weight rows (``count × row`` for graded inputs);
* :func:`lif_dense` — the currents were computed densely (BLAS) beforehand.

Both call :func:`_neuron_step`, so the neuron semantics (see
:mod:`snnexplorer.sim`) are written once; it is branch-free so that LLVM
vectorizes it. Work runs in parallel (``prange``); the kernels release the
GIL (``nogil``) so a dashboard stays responsive.

How the event kernel is laid out, and why (measured on a 2-core AVX-512
machine, ``benchmarks/sim_vs_peers.py``):

* spike trains enter as 64-bit *words* — the uint8 (or uint16) counts of
  ``[batch, T, n]`` viewed 8 (or 4) lanes to a word, ``n`` padded to a whole
  word (:func:`as_words`). Each word's non-zero lanes become one mask byte
  without branches (vectorized); 8 mask bytes form a 64-input bitmask whose set
  bits are taken with ``cttz``. Listing costs per event, not per input byte;
* the weights are read as column tiles (:func:`weight_tiles`), tile-outer over
  a group of samples, so one tile's rows are reused from cache by every event
  of the group; each slot's current (one tile wide) stays in L1 while its rows
  are added eight at a time and the neuron step consumes it. This beat a
  counting sort by input (each row loaded once per block, currents in L2) by
  1.2–1.7×, and the sort's extra pass;
* hidden layers emit their spikes packed, 64 to a uint64 — the next layer's
  bitmasks as they are: an eighth of the bytes to write and read back, no
  masks to compute (3–8 % of a 784-512-256-10 run, measured in one process
  against the byte-per-spike version).

Per (sample, step) counters come back as arrays and are summed by the caller:
input spike count, whether any input arrived (event-driven neuron updates),
and output spike count.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.core import cgutils
from numba.extending import intrinsic

WORD_BYTES = 8
TILE_BYTES = 2048
"""Bytes of one weight row per output tile of the event kernel (512 float32 columns)."""


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

    ``spike_bytes`` is zero-padded to whole words; 8 bytes become 8 bits with one multiply.
    """
    words = spike_bytes.view(np.uint64)
    for k in range(-(-n // 8)):
        packed = (words[k] * np.uint64(0x0102040810204080)) >> np.uint64(56)
        position = first_bit + 8 * k
        bits[position >> 6] |= packed << np.uint64(position & 63)


@njit(cache=True, nogil=True, inline="always")
def _neuron_step(v, current, beta, threshold, reset_zero, fixed, beta_q, v_min, v_max, out_row, counts, score,
                 is_output):
    """Advance one sample's neurons by one step; returns the number of output spikes.

    Hidden layer: v ← leak(v) + I, saturate (fixed point), spike where v ≥ θ,
    reset (subtract θ, or to 0). Output layer: score ← score + I (no leak, no
    spike), saturated in fixed point.
    """
    n_out = v.shape[0]
    if is_output:
        for j in range(n_out):
            x = score[j] + current[j]
            score[j] = min(max(x, v_min), v_max) if fixed else x
        return 0
    fired = 0
    for j in range(n_out):
        if fixed:
            x = min(max(np.floor(v[j] * beta_q * (1.0 / 65536.0)) + current[j], v_min), v_max)
        else:
            x = beta * v[j] + current[j]
        spike = x >= threshold
        out_row[j] = spike
        counts[j] += spike
        fired += spike
        if reset_zero:
            x = 0.0 if spike else x
        else:
            x = x - threshold if spike else x
        v[j] = x
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
def _list_events(row, lane_bits, masks, groups, event_input, event_count, n_events):
    """Append the (input, count) events of one step's words to the lists; returns (n_events, total count, largest count).

    The per-word lane masks are computed without branches (vectorized) into
    ``masks`` (bytes; ``groups`` views them as uint64, 64 inputs per group for
    8-bit lanes), then each group's set bits are taken lowest first. With
    ``lane_bits`` 1 the words are already such bitmasks (packed spikes, count 1).
    """
    if lane_bits == 1:
        first = n_events
        for g in range(row.shape[0]):
            m = row[g]
            while m != 0:
                event_input[n_events] = g * 64 + _trailing_zeros(m)
                event_count[n_events] = 1
                m &= m - np.uint64(1)
                n_events += 1
        return n_events, n_events - first, 1
    lanes = 64 // lane_bits
    lane_mask = np.uint64((1 << lane_bits) - 1)
    for wi in range(row.shape[0]):
        masks[wi] = np.uint8(_nonzero_lanes(row[wi], lane_bits))
    total = 0
    largest = 0
    group_lanes = 8 * lanes
    for g in range(groups.shape[0]):
        m = groups[g]
        while m != 0:
            bit = _trailing_zeros(m)
            m &= m - np.uint64(1)
            lane = g * group_lanes + (bit >> 3) * lanes + (bit & 7)
            c = np.int32((row[lane // lanes] >> np.uint64((lane % lanes) * lane_bits)) & lane_mask)
            event_input[n_events] = lane
            event_count[n_events] = c
            n_events += 1
            total += c
            largest = max(largest, c)
    return n_events, total, largest


@njit(cache=True, nogil=True, inline="always")
def _accumulate(current, tile, inputs, counts, start, end, graded):
    """Add the weight rows (``tile[i]``, times the count when ``graded``) of events ``start:end`` to ``current``.

    ``graded``: some counts exceed 1. In event order, one addition after
    another, so the sum is that of a step-by-step accumulation; eight rows
    share each load and store of the current.
    """
    n = current.shape[0]
    e = start
    if graded:
        while e < end:
            row = tile[inputs[e]]
            c = counts[e]
            for j in range(n):
                current[j] += c * row[j]
            e += 1
        return
    while e + 7 < end:
        r0, r1, r2, r3 = tile[inputs[e]], tile[inputs[e + 1]], tile[inputs[e + 2]], tile[inputs[e + 3]]
        r4, r5, r6, r7 = tile[inputs[e + 4]], tile[inputs[e + 5]], tile[inputs[e + 6]], tile[inputs[e + 7]]
        for j in range(n):
            current[j] = (((((((current[j] + r0[j]) + r1[j]) + r2[j]) + r3[j]) + r4[j]) + r5[j]) + r6[j]) + r7[j]
        e += 8
    while e + 1 < end:
        r0, r1 = tile[inputs[e]], tile[inputs[e + 1]]
        for j in range(n):
            current[j] = (current[j] + r0[j]) + r1[j]
        e += 2
    if e < end:
        r0 = tile[inputs[e]]
        for j in range(n):
            current[j] += r0[j]


def weight_tiles(weight: np.ndarray, tile_bytes: int = TILE_BYTES) -> np.ndarray:
    """``weight`` [n_in, n_out] as column tiles [n_tiles, n_in, tile] (the last zero-padded), ~``tile_bytes`` per row.

    A tile is a multiple of 64 columns, unless one tile holds all.
    """
    n_in, n_out = weight.shape
    tile = min(n_out, max(64, tile_bytes // weight.itemsize // 64 * 64))  # whole words of packed output spikes
    n_tiles = -(-n_out // tile)
    padded_weight = np.zeros((n_in, n_tiles * tile), dtype=weight.dtype)
    padded_weight[:, :n_out] = weight
    return np.ascontiguousarray(padded_weight.reshape(n_in, n_tiles, tile).transpose(1, 0, 2))


@njit(cache=True, nogil=True, parallel=True)
def lif_event(words, lane_bits, tiles, bias, beta, threshold, reset_zero, fixed, beta_q, v_min, v_max, is_output,
              group, threads):
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
    score [B, n_out], in_count int64 [B, T], any_input bool [B, T], out_count int64 [B, T]).
    """
    n_batch, n_steps, n_words = words.shape
    rows = words.reshape(n_batch * n_steps, n_words)
    n_tiles, _, tile = tiles.shape
    n_out = bias.shape[0]
    lanes = 64 // lane_bits
    out_bits = np.zeros((n_batch, n_steps, 0 if is_output else -(-n_out // 64)), dtype=np.uint64)
    spike_counts = np.zeros((n_batch, 0 if is_output else n_out), dtype=np.int32)
    score = np.zeros((n_batch, n_out), dtype=tiles.dtype)
    in_count = np.zeros((n_batch, n_steps), dtype=np.int64)
    any_input = np.zeros((n_batch, n_steps), dtype=np.bool_)
    out_count = np.zeros((n_batch, n_steps), dtype=np.int64)
    tile_bias = np.zeros(n_tiles * tile, dtype=tiles.dtype)
    tile_bias[:n_out] = bias
    n_groups = (n_batch + group - 1) // group
    n_workers = min(threads, n_groups)
    capacity = group * n_steps * n_words * lanes
    n_mask_words = -(-n_words // 8)
    for worker in prange(n_workers):
        masks = np.zeros(n_mask_words * 8, dtype=np.uint8)
        mask_words = masks.view(np.uint64)
        event_input = np.empty(capacity, dtype=np.int32)
        event_count = np.empty(capacity, dtype=np.int32)
        slot_start = np.empty(group * n_steps + 1, dtype=np.int64)
        current = np.empty(tile, dtype=tiles.dtype)
        v = np.empty(tile, dtype=tiles.dtype)
        spike_bytes = np.zeros(-(-tile // WORD_BYTES) * WORD_BYTES, dtype=np.uint8)
        for g in range(worker, n_groups, n_workers):
            first = g * group
            size = min(n_batch, first + group) - first
            n_events = 0
            largest = 0
            slot_start[0] = 0
            for s in range(size):  # (1) event lists, slot by slot
                for t in range(n_steps):
                    n_events, total, slot_largest = _list_events(rows[(first + s) * n_steps + t], lane_bits, masks, mask_words,
                                                   event_input, event_count, n_events)
                    slot_start[s * n_steps + t + 1] = n_events
                    largest = max(largest, slot_largest)
                    in_count[first + s, t] = total
                    any_input[first + s, t] = total > 0
            for q in range(n_tiles):  # (2) tile by tile: accumulate and step
                lo = q * tile
                n_cols = min(tile, n_out - lo)
                weights = tiles[q]
                refill = tile_bias[lo:lo + tile]
                spike_bytes[n_cols:] = 0
                for s in range(size):
                    v[:] = 0
                    for t in range(n_steps):
                        k = s * n_steps + t
                        current[:] = refill
                        _accumulate(current, weights, event_input, event_count, slot_start[k], slot_start[k + 1], largest > 1)
                        fired = _neuron_step(v[:n_cols], current[:n_cols], beta, threshold, reset_zero, fixed, beta_q, v_min,
                                             v_max, spike_bytes, spike_counts[first + s, lo:lo + n_cols],
                                             score[first + s, lo:lo + n_cols], is_output)
                        if fired:
                            _pack_spikes(spike_bytes, n_cols, out_bits[first + s, t], lo)
                        out_count[first + s, t] += fired
    return out_bits, spike_counts, score, in_count, any_input, out_count


@njit(cache=True, nogil=True, parallel=True)
def lif_dense(currents, beta, threshold, reset_zero, fixed, beta_q, v_min, v_max, is_output):
    """Neuron updates over precomputed currents [B, T, n_out]; returns (out_spikes, spike_counts, score, out_count).

    ``out_spikes`` is uint8 [B, T, padded(n_out)] like :func:`lif_event`'s.
    """
    n_batch, n_steps, n_out = currents.shape
    out_spikes = _spike_buffer(n_batch, n_steps, n_out, is_output)
    spike_counts = np.zeros((n_batch, 0 if is_output else n_out), dtype=np.int32)
    score = np.zeros((n_batch, n_out), dtype=currents.dtype)
    out_count = np.zeros((n_batch, n_steps), dtype=np.int64)
    dummy_row = np.zeros(n_out, dtype=np.uint8)
    for s in prange(n_batch):
        v = np.zeros(n_out, dtype=currents.dtype)
        for t in range(n_steps):
            out_row = dummy_row if is_output else out_spikes[s, t]
            out_count[s, t] = _neuron_step(v, currents[s, t], beta, threshold, reset_zero, fixed, beta_q, v_min, v_max,
                                           out_row, spike_counts[s], score[s], is_output)
    return out_spikes, spike_counts, score, out_count
