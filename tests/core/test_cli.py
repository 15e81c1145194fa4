"""The core CLI through a real subprocess: exit codes, JSON output, eval summary."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def run(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "app", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def test_verify_exit_codes(make_clip):
    clip = str(make_clip("Entrada, 13 e 40."))
    ok = run("verify", "--expected", "ENTRADA 13 40", clip)
    assert ok.returncode == 0, ok.stderr
    line = json.loads(ok.stdout)
    assert line["validated"] is True and line["spoken_text"].startswith(" ")
    no = run("verify", "--expected", "SAIDA 13 40", clip)
    assert no.returncode == 1 and json.loads(no.stdout)["validated"] is False
    bad = run("verify", "--expected", "ENTRADA 99 40", clip)
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.startswith("erro: a hora deve estar entre 0 e 23"), bad.stderr
    missing = run("verify", "--expected", "ENTRADA 13 40", "/no/such.wav")
    assert missing.returncode == 2
    assert missing.stderr.startswith("erro: arquivo de áudio não encontrado"), missing.stderr


def test_verify_on_a_file_that_is_not_audio_prints_a_portuguese_error(tmp_path):
    text = tmp_path / "notas.wav"
    text.write_text("isto não é áudio, só texto\n" * 40, encoding="utf-8")
    out = run("verify", "--expected", "ENTRADA 13 40", str(text))
    assert out.returncode == 2 and out.stdout == ""
    first = out.stderr.splitlines()[0]
    assert first.startswith("erro: não foi possível decodificar o áudio"), out.stderr
    assert "Traceback" not in out.stderr and "could not" not in out.stderr


@pytest.mark.parametrize("flag", ["--cpu-threads=0", "--compute-type=int3"])
def test_bad_engine_flags_exit_2(make_clip, flag):
    out = run("verify", "--expected", "ENTRADA 13 40", flag, str(make_clip("Entrada, 13 e 40.")))
    assert out.returncode == 2 and out.stderr.startswith("erro: "), out.stderr
    assert "deve" in out.stderr  # "cpu_threads deve estar entre..." / "compute_type deve ser..."


def test_eval_writes_one_line_per_clip_and_a_summary(tmp_path, make_clip):
    clips = [
        ("Entrada, 13 e 40.", "ENTRADA 13 40", True, "positive"),
        ("Entrada, 13 e 41.", "ENTRADA 13 40", False, "minute_1"),
    ]
    lines = []
    for i, (spoken, expected, label, kind) in enumerate(clips):
        target = tmp_path / f"c{i}.wav"
        target.write_bytes(make_clip(spoken).read_bytes())
        lines.append(
            {"file": target.name, "expected_speech": expected, "label": label, "kind": kind}
        )
    (tmp_path / "m.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    out = run("eval", str(tmp_path / "m.jsonl"), "--out", str(tmp_path / "r.jsonl"), "--json")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(x) for x in (tmp_path / "r.jsonl").read_text().splitlines()]
    assert [r["validated"] for r in rows] == [True, False]
    assert set(rows[0]) == {
        "file",
        "expected_speech",
        "validated",
        "spoken_text",
        "reason",
        "seconds",
    }
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    assert summary["false_reject_rate"] == 0 and summary["false_accept_rate"] == 0
    assert "false accepts: 0/1" in out.stdout
