"""Command line: ``snnexplorer validate | evaluate | map | serve | train | sweep | export | data``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .activity_source import ALLOWED, ActivitySource
from .errors import DesignError
from .progress import Reporter, Stage

if TYPE_CHECKING:  # the commands import what they use: `snnexplorer --help` loads no numpy or pandas
    from .hardware.report import Report


def _cmd_validate(args: argparse.Namespace) -> int:
    from .design import load_design

    failed = 0
    for path in args.designs:
        try:
            design = load_design(path)
        except DesignError as exc:
            failed += 1
            for problem in exc.problems:
                print(f"{path}: {problem}")
        else:
            print(
                f"{path}: ok ({design.name}: hidden {design.hidden}, {design.specialization.experts} expert(s), "
                f"timesteps {design.layer_timesteps}, hardware {design.hardware.preset})"
            )
    return 1 if failed else 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    import dataclasses

    from .design import load_design
    from .hardware.report import TrainingCost
    from .pipeline import ann_accuracy, evaluate, training_report

    design = load_design(args.design)
    if args.hardware:
        design = design.copy(hardware={"preset": args.hardware, "overrides": {}})
    reporter = Reporter(quiet=args.quiet)
    report = evaluate(design, activity=args.activity, progress=reporter)
    reporter.close()
    training = training_report(design) if args.activity.simulated else None
    if training is not None:
        report = dataclasses.replace(
            report,
            training=TrainingCost(training.energy_j, training.latency_s, training.synaptic_ops, training.neuron_updates),
        )
    if args.ann_accuracy:
        report = dataclasses.replace(report, ann=dataclasses.replace(report.ann, accuracy=ann_accuracy(design)))
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        print("\n".join(report_lines(report)))
    return 0


def report_lines(report: Report) -> list[str]:
    """A Report as the lines ``snnexplorer evaluate`` prints, in the units the dashboard shows."""
    from .format import METRIC_TEXT, binary_bytes, si

    ann = report.ann
    accuracy = "n/a (synthetic activity)" if report.accuracy is None else METRIC_TEXT["accuracy"][1](report.accuracy)
    twin = "" if ann.accuracy is None else f"  (ANN twin {METRIC_TEXT['accuracy'][1](ann.accuracy)})"
    lines = [f"design      {report.name} on {report.hardware}", f"accuracy    {accuracy}{twin}"]
    if not report.feasible:
        return [*lines, "feasible    no: " + "; ".join(report.reasons)]
    ops = report.neurobench.synaptic_operations
    sparsity = report.neurobench.activation_sparsity
    lines += [
        f"energy      {si(report.energy_j, 'J')} per inference  (ANN twin {si(ann.energy_j, 'J')})",
        f"latency     {si(report.latency_s, 's')} per batch of {report.batch}  (ANN twin {si(ann.latency_s, 's')})",
        f"footprint   {binary_bytes(report.footprint_bytes)}",
        f"synaptic ops {report.synaptic_ops:,.0f}, neuron updates {report.neuron_updates:,.0f} per inference",
    ]
    recurrent_ops, recurrent_energy = report.recurrent_share()
    if recurrent_ops:
        lines.append(
            f"recurrent   {recurrent_ops:.1%} of the synaptic ops, {recurrent_energy:.1%} of the energy "
            "(recurrent weights read, their accumulates)"
        )
    inputs = report.breakdown.query("kind == 'inputs' and op == 'read'")
    if len(inputs):
        outer = inputs.iloc[-1]
        lines.append(
            f"input       {report.layers[0].input_spikes - report.layers[0].fed_back_spikes:,.0f} spikes/events per sample, sent as "
            f"{report.mapping.input_format}: {outer['bytes']:,.0f} B read from {outer['level']} ({si(outer['energy_j'], 'J')})"
        )
    lines.append(
        f"NeuroBench  activation sparsity {'n/a' if sparsity is None else f'{sparsity:.3f}'}, effective ACs "
        f"{ops.effective_acs:,.0f} / MACs {ops.effective_macs:,.0f} (dense {ops.dense:,.0f}), membrane updates "
        f"{report.neurobench.membrane_updates:,.0f} per sample"
    )
    if report.training is not None:
        lines.append(
            f"training    {si(report.training.energy_j, 'J')} per training sample (STDP: {report.training.synaptic_ops:,.0f} "
            f"synaptic ops, {report.training.neuron_updates:,.0f} neuron updates, weight updates as read-modify-writes)"
        )
    return lines


def _cmd_map(args: argparse.Namespace) -> int:
    import time

    from .design import load_design
    from .format import layer_choices_text, readable_table, si
    from .io import atomic_write_text
    from .mapping_search import OBJECTIVES, rank_mappings, with_mapping
    from .pipeline import activity_for, architecture_of

    design = load_design(args.design)
    activity = activity_for(design, args.activity)
    start = time.perf_counter()
    table = rank_mappings(design, activity, architecture_of(design), args.objective)
    seconds = time.perf_counter() - start
    column, meaning = OBJECTIVES[args.objective]
    own = table.index[table["hand_set"]][0]
    best, stated = table.iloc[0], table.iloc[own]
    scores = readable_table(table[[column]])[column]
    print(
        f"{design.name} on {design.hardware.preset}: {len(table)} mappings ranked by {meaning} "
        f"({seconds:.2f} s); best {scores.iloc[0]}, the design's own mapping "
        f"{scores.iloc[own]} (rank {own + 1}, ×{stated[column] / best[column]:.2f})"
    )
    shown = table.head(args.top).drop(columns=["hand_set"]).copy()
    shown["layers"] = [layer_choices_text(row) or "-" for _, row in shown.iterrows()]
    shown = shown.rename(columns={"layers": "layers apart"})
    shown.insert(0, "rank", range(1, len(shown) + 1))
    text = readable_table(shown)
    text["rank"] = [f"{rank}{' *' if own == index else ''}" for rank, index in zip(shown["rank"], shown.index)]
    print(text.to_string(index=False))
    print("* the design's own mapping" if own < args.top else f"the design's own mapping ranks {own + 1}")
    if args.out:
        path = atomic_write_text(args.out, with_mapping(design, best).to_yaml())
        print(f"the best mapping written as a design: {path} ({si(best['energy_j'], 'J')} per inference)")
    return 0


def _cmd_train(args: argparse.Namespace) -> int:
    from . import data
    from .design import load_design
    from .inference import simulate_weights
    from .train import confusion_for, load_or_train, save_to_zoo, shipped_accuracy, train

    show = Reporter(quiet=args.quiet)
    failed = False
    for path in args.designs:
        design = load_design(path)
        print(f"{path}: {design.name} (train hash {design.hash_for('train')})")
        reference = shipped_accuracy(design)
        weights = (
            train(design, show, confusion=confusion_for(design, show)) if args.retrain else load_or_train(design, progress=show)
        )
        test = data.load(design.dataset.name, "test").head(design.dataset.test_samples)
        show(Stage(f"  simulating {len(test.y):,} test samples"))
        activity = simulate_weights(design, weights, test.x, test.y)
        show.close()
        print(
            f"  test accuracy {100 * activity.accuracy:.2f} % on {activity.batch} samples, "
            f"{weights.parameter_count()} parameters, trained in {weights.meta.get('train_seconds')} s"
        )
        if reference is not None:
            delta = 100 * (activity.accuracy - reference)
            print(f"  shipped accuracy {100 * reference:.2f} %: {delta:+.2f} points")
            failed |= abs(delta) > 0.5
        if args.zoo:
            print(f"  shipped in {save_to_zoo(design, weights, activity.accuracy)}")
    return 1 if failed else 0


def _cmd_sweep(args: argparse.Namespace) -> int:
    from .explore import Study, default_output, run_study, run_timestep_search
    from .explore.cluster import make_client
    from .format import metric_texts

    for path in args.studies:
        study = Study.from_yaml(path)
        out = Path(args.out) if args.out and len(args.studies) == 1 else default_output(study)
        print(f"{path}: study {study.name} ({study.search}) -> {out}")
        if study.search == "timesteps":
            print("  " + run_timestep_search(study, out).summary())
            continue

        show = Reporter(quiet=args.quiet)
        client = None if args.in_process else make_client(args.scheduler, args.workers)
        try:
            table = run_study(study, out, client=client, progress=show)
        finally:
            show.close()
            if client is not None:
                client.close()
        front = table[table["pareto"]]
        print(
            f"  {len(table)} points, {int(table['meets_constraints'].sum())} meet the constraints, {len(front)} on the Pareto front"
        )
        texts = metric_texts(front)
        for (_, row), (_, text) in zip(front.iterrows(), texts.iterrows()):
            axes = ", ".join(f"{k[5:]}={row[k]}" for k in table.columns if k.startswith("axis:"))
            print(f"    {axes}: " + ", ".join(f"{label.lower()} {value}" for label, value in text.items()))
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from .resources import return_large_blocks_at_once, run_with_system_allocator

    run_with_system_allocator(["serve", "--address", args.address, "--port", str(args.port)])
    import panel as pn

    from .ui import ExplorerModel
    from .ui.app import create_app

    return_large_blocks_at_once()  # the server's memory comes back after its sessions close
    print("Warming up: loading the trained weights and the compiled kernels…", flush=True)
    ExplorerModel()  # the server's first page then opens as fast as the next (its numbers in about 2 s)
    pn.serve(
        {"explorer": create_app},
        address=args.address,
        port=args.port,
        show=False,
        allow_websocket_origin=[f"{args.address}:{args.port}", f"localhost:{args.port}"],
        title="SNN Explorer",
    )
    return 0


def _cmd_data(args: argparse.Namespace) -> int:
    from .data import available, download

    if args.download:
        for name in args.download:
            print(f"downloaded {name} to {download(name)}")
    for row in available():
        load = "  -  " if row["load_s"] is None else f"{row['load_s']:.2f} s"
        print(f"{row['name']:20s} train {row['train']:6d}  test {row['test']:6d}  load {load}  {row['source']}")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from .design import load_design
    from .ui.export import export

    path = export(load_design(args.design), args.format, args.out, args.activity)
    print(f"{args.format}: {path} ({path.stat().st_size:,} bytes)")
    return 0


def _activity(text: str) -> ActivitySource:
    try:
        return ActivitySource.parse(text)
    except DesignError as exc:
        raise argparse.ArgumentTypeError(str(exc.problems[0])) from None


ACTIVITY_OPTION = {
    "default": ActivitySource.simulate(),
    "type": _activity,
    "metavar": "SOURCE",
    "help": f"{ALLOWED}: simulate the test subset (training first if needed), or a uniform spike rate (cost only)",
}


def build_parser() -> argparse.ArgumentParser:
    from . import __version__
    from .data import downloadable
    from .design import Mapping
    from .ui.export import FORMAT_HELP as EXPORT_FORMATS

    parser = argparse.ArgumentParser(
        prog="snnexplorer", description="Design-space exploration of energy-efficient spiking neural networks."
    )
    parser.add_argument("--version", action="version", version=f"snnexplorer {__version__}")
    parser.add_argument("--quiet", action="store_true", help="no progress output (results and errors still print)")
    parser.add_argument(
        "--ignore-memory-check",
        action="store_true",
        help="train and simulate even when the estimate says the design does not fit this machine's memory",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("validate", help="check design YAML files; one line per bad field")
    p.add_argument("designs", nargs="+")
    p.set_defaults(func=_cmd_validate)
    p = sub.add_parser("evaluate", help="accuracy, energy, latency and footprint of a design")
    p.add_argument("design", help="a design YAML path or preset name")
    p.add_argument("--json", action="store_true", help="print the report as one JSON object")
    p.add_argument("--activity", **ACTIVITY_OPTION)
    p.add_argument(
        "--hardware", help="price on this hardware preset instead of the design's (the design's overrides are dropped)"
    )
    p.add_argument("--ann-accuracy", action="store_true", help="also train (once, cached) the ANN twin and report its accuracy")
    p.set_defaults(func=_cmd_evaluate)
    p = sub.add_parser("map", help="rank every mapping of a design's loop nest by energy, latency or EDP")
    p.add_argument("design", help="a design YAML path or preset name")
    p.add_argument(
        "--objective",
        choices=[o for o in Mapping.param.search.objects if o != "none"],
        default="energy",
        help="what to minimise: " + Mapping.param.search.doc,
    )
    p.add_argument("--top", type=int, default=10, help="rows to print (default 10)")
    p.add_argument("--activity", **ACTIVITY_OPTION)
    p.add_argument("--out", help="write the design with the best mapping here (YAML, atomically)")
    p.set_defaults(func=_cmd_map)
    p = sub.add_parser("serve", help="serve the dashboard")
    p.add_argument("--address", default="127.0.0.1")
    p.add_argument("--port", type=int, default=5006)
    p.set_defaults(func=_cmd_serve)
    p = sub.add_parser("data", help="list the data sets available offline; --download NAME fetches one")
    p.add_argument("--download", nargs="*", choices=downloadable())
    p.set_defaults(func=_cmd_data)
    p = sub.add_parser("train", help="train (or load from the cache) the networks of design files")
    p.add_argument("designs", nargs="+")
    p.add_argument("--zoo", action="store_true", help="ship the weights in assets/zoo (for the project's presets)")
    p.add_argument(
        "--retrain",
        action="store_true",
        help="train again even when cached or shipped; fail if the accuracy moves more than 0.5 points from the shipped model's",
    )
    p.set_defaults(func=_cmd_train)
    p = sub.add_parser("sweep", help="run study files (grid sweeps, LD-SNN timestep search); resumable CSV output")
    p.add_argument("studies", nargs="+")
    p.add_argument("--out", help="result CSV (one study); default STUDY_NAME.csv")
    p.add_argument("--scheduler", help="tcp://HOST:PORT or a scheduler file of a running dask cluster")
    p.add_argument("--workers", type=int, help="LocalCluster workers (default: one per core)")
    p.add_argument("--in-process", action="store_true", help="no dask: evaluate in this process")
    p.set_defaults(func=_cmd_sweep)
    p = sub.add_parser(
        "export", help="write a design's file: its network as NIR, the design as YAML, its report as JSON/CSV/HTML"
    )
    p.add_argument("design", help="a design YAML path or preset name")
    p.add_argument(
        "--format", required=True, choices=EXPORT_FORMATS, help="; ".join(f"{k}: {v}" for k, v in EXPORT_FORMATS.items())
    )
    p.add_argument("--out", required=True, help="the file to write (atomically: never half-written)")
    p.add_argument("--activity", **ACTIVITY_OPTION)
    p.set_defaults(func=_cmd_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.ignore_memory_check:
        from .config import ignore_memory_check

        ignore_memory_check()  # read by every stage, and inherited by sweep workers
    try:
        return args.func(args)
    except DesignError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # cache entries and sweep rows are written whole (atomic files, fsynced rows)
        print("\ninterrupted: what was finished is kept; run the same command again to resume", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
