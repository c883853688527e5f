import json
import subprocess
import sys

from snnexplorer.cli import main


def test_evaluate_json_with_synthetic_activity(capsys):
    assert main(["evaluate", "mnist-baseline", "--json", "--activity", "synthetic:0.1"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["feasible"] and data["energy_j"] > 0 and data["ann"]["energy_j"] > 0
    assert abs(sum(r["energy_j"] for r in data["breakdown"]) - data["energy_j"]) <= 1e-9 * data["energy_j"]


def test_bad_activity_spec_is_a_clear_error(capsys):
    assert main(["evaluate", "mnist-baseline", "--activity", "synthetic:2"]) == 1
    assert "activity" in capsys.readouterr().err


def test_unbuilt_stages_exit_non_zero_with_message():
    out = subprocess.run([sys.executable, "-m", "snnexplorer.cli", "export", "x.yaml"], capture_output=True, text=True)
    assert out.returncode == 2 and "not available yet" in out.stderr


def test_console_script_help():
    out = subprocess.run([sys.executable, "-m", "snnexplorer.cli", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "validate" in out.stdout and "evaluate" in out.stdout
