"""`eval`'s tables: false rejects by condition and false accepts by kind, counted right."""

from __future__ import annotations

import json

from app.lab.evaluate import condition_table, evaluate, read_manifest, slices


def _item(label, kind="positive", voice="leticia", snr=None, pause=0.0, effect="none"):
    return {
        "file": "x.wav",
        "path": "x.wav",
        "expected_speech": "ENTRADA 13 40",
        "label": label,
        "kind": kind,
        "voice": voice,
        "effect": effect,
        "noise": "none" if snr is None else "white",
        "snr_db": snr,
        "pause_s": pause,
        "style": "digits",
    }


def test_tables_count_each_condition_and_kind():
    items = [
        _item(True, snr=None),  # accepted
        _item(True, snr=10.0),  # rejected (false reject at 10 dB)
        _item(True, snr=20.0, pause=1.0),  # rejected (false reject with a pause)
        _item(True, voice="mb-br1"),  # rejected, other voice
        _item(True, voice="mb-br3"),  # accepted, other voice
        _item(False, kind="minute_1"),  # refused
        _item(False, kind="silence", voice="-"),  # refused
        _item(False, kind="hour_1"),  # accepted: a false accept
    ]
    verdicts = iter([True, False, False, False, True, False, False, True])
    summary = evaluate(items, lambda path, expected: (next(verdicts), "", ""))
    assert (summary.false_rejects, summary.positives) == (3, 5)
    assert (summary.false_accepts, summary.negatives) == (1, 3)
    heads = slices(summary)
    assert heads["FRR main voice, all"] == (2, 3)
    assert heads["FRR main voice, clean + 30 + 20 dB"] == (1, 2)
    assert heads["FRR other voices (mb-br1, mb-br3)"] == (1, 2)
    assert heads["FAR every negative"] == (1, 3)
    table = condition_table(summary)
    lines = table.splitlines()
    assert any(x.split()[:2] == ["10", "dB"] and "1/1 = 100.0%" in x for x in lines)
    assert any(x.strip().startswith("0.7-1.5 s") and "1/1 = 100.0%" in x for x in lines)
    assert any(x.strip().startswith("hour_1") and "1/1 = 100.0%" in x for x in lines)
    assert any(x.strip().startswith("mb-br1") and "1/1 = 100.0%" in x for x in lines)


def test_manifest_lines_keep_their_conditions(tmp_path):
    line = {"file": "a.wav", "expected_speech": "SAÍDA 8 5", "label": True, "voice": "mb-br4"}
    (tmp_path / "m.jsonl").write_text(json.dumps(line, ensure_ascii=False) + "\n", "utf-8")
    (item,) = read_manifest(tmp_path / "m.jsonl")
    assert item["voice"] == "mb-br4" and item["path"] == tmp_path / "a.wav"
