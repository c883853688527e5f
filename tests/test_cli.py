import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from snnexplorer.cli import main


def test_evaluate_json_with_synthetic_activity(capsys):
    assert main(["evaluate", "mnist-baseline", "--json", "--activity", "synthetic:0.1"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["feasible"] and data["energy_j"] > 0 and data["ann"]["energy_j"] > 0
    assert abs(sum(r["energy_j"] for r in data["breakdown"]) - data["energy_j"]) <= 1e-9 * data["energy_j"]


def test_bad_activity_spec_is_a_clear_error(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["evaluate", "mnist-baseline", "--activity", "synthetic:2"])
    error = capsys.readouterr().err
    assert exited.value.code == 2 and "--activity" in error and "'synthetic:2'" in error and "RATE in 0..1" in error


def test_export_names_its_formats_when_one_is_wrong():
    command = [sys.executable, "-m", "snnexplorer.cli", "export", "mnist-baseline", "--format", "onnx", "--out", "x"]
    out = subprocess.run(command, capture_output=True, text=True)
    assert out.returncode == 2 and "--format" in out.stderr and "'nir', 'yaml', 'json', 'csv', 'html'" in out.stderr


def test_console_script_help():
    out = subprocess.run([sys.executable, "-m", "snnexplorer.cli", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "validate" in out.stdout and "evaluate" in out.stdout


def test_progress_is_a_bar_on_a_terminal_and_lines_elsewhere():
    import io

    from snnexplorer.progress import Reporter, Stage, Step

    steps = [
        Step("main", (e - 1) * 5 + b, 10, "batches", 3.0, epoch=e, epochs=2, loss=0.5, accuracy=0.75)
        for e in (1, 2)
        for b in range(1, 6)
    ]
    log, tty, quiet = io.StringIO(), io.StringIO(), io.StringIO()
    for stream, terminal, silent in ((log, False, False), (tty, True, False), (quiet, False, True)):
        reporter = Reporter(stream, quiet=silent, terminal=terminal)
        reporter(Stage("training tiny"))
        for step in steps:
            reporter(step)
        reporter.close()
    lines = log.getvalue().splitlines()
    assert lines[0] == "training tiny" and len(lines) == 1 + 10 and "\r" not in log.getvalue()
    assert "epoch 2/2" in lines[-1] and "batches/s" in lines[-1] and "ETA 3 s" in lines[-1]
    assert "training accuracy 75.0 %" in lines[-1]
    assert tty.getvalue().count("\r") == 10 and "[########################] 100.0%" in tty.getvalue()
    assert quiet.getvalue() == ""


@pytest.mark.slow  # training
def test_evaluate_says_what_it_does_while_training_and_simulating(tmp_path):
    design = tmp_path / "tiny.yaml"
    design.write_text(
        "name: tiny\ndataset: {name: digits, test_samples: 100}\nnetwork: {hidden: [16]}\ntimesteps: 4\n"
        "training: {epochs: 1, timesteps: 4}\n"
    )
    run = subprocess.run(
        [sys.executable, "-m", "snnexplorer.cli", "evaluate", str(design)], capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 0, run.stderr
    err = run.stderr.splitlines()
    assert err[0].startswith("training tiny (") and "no trained weights cached" in err[0]
    assert any("epoch 1/1" in line and "ETA" in line for line in err)
    assert err[-1] == "simulating tiny on 100 test samples"
    again = subprocess.run(
        [sys.executable, "-m", "snnexplorer.cli", "--quiet", "evaluate", str(design)], capture_output=True, text=True, timeout=600
    )
    assert again.returncode == 0 and again.stderr == "" and "accuracy" in again.stdout


@pytest.mark.slow  # training
def test_ctrl_c_during_training_exits_cleanly_leaving_nothing_half_written(tmp_path):
    import os
    import signal
    import time

    design = tmp_path / "long.yaml"
    design.write_text(
        "name: long\ndataset: {name: digits, test_samples: 50}\nnetwork: {hidden: [32]}\ntimesteps: 4\n"
        "training: {epochs: 200, timesteps: 4}\n"
    )
    env = {**os.environ, "SNNEXPLORER_CACHE": str(tmp_path / "cache"), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "snnexplorer.cli", "evaluate", str(design)],
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # as a terminal's foreground job: a shell without job control starts background jobs with SIGINT ignored
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.time() + 120
    seen = ""
    while time.time() < deadline and "epoch" not in seen:
        seen += proc.stderr.readline()
    assert "epoch" in seen, seen
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in err, (proc.returncode, err)
    models = tmp_path / "cache" / "models"
    assert not list(models.glob("*/weights.npz")) and not list(models.glob("*/.*.tmp"))  # nothing half-written


@pytest.mark.skipif(not os.path.exists("/proc/self/environ"), reason="reads the server's environment from /proc")
def test_the_server_starts_again_as_itself_on_glibcs_allocator():
    from conftest import free_port

    from snnexplorer.resources import _glibc

    if _glibc() is None:
        pytest.skip("not glibc: the server keeps Python's allocator")
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONMALLOC"}
    command = [sys.executable, "-m", "snnexplorer.cli", "serve", "--port", str(free_port())]
    server = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):  # it starts again before it loads anything: within a second or two
            if b"PYTHONMALLOC=malloc" in Path(f"/proc/{server.pid}/environ").read_bytes().split(b"\0"):
                break
            time.sleep(0.1)
        else:
            pytest.fail("the server did not start again with PYTHONMALLOC=malloc")
        assert server.poll() is None  # the same process, now serving
        assert Path(f"/proc/{server.pid}/cmdline").read_bytes().split(b"\0")[1:6] == [
            b"-m", b"snnexplorer.cli", b"serve", b"--address", b"127.0.0.1"
        ]  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=20)
