"""Speculative verification: the audio up to a short pause is verified while the recorder keeps
listening; if the speaker goes on, that snapshot is void and the full recording decides."""

from __future__ import annotations

from app.kiosk.recorder import ClipSource, RecorderWorker, RecordLimits
from tests.kiosk.conftest import paused_clip, speak, to_challenge


def record(path, speculate: float = 0.3) -> tuple:
    """The recorder alone, synchronously (replay not paced; the worker stays on this thread):
    (Recording, snapshot seqs). 0.3 s keeps the voice's comma pause (~0.2 s) out of the count;
    the kiosk default is lower. Nobody judges the snapshots, so each pause may last 1.5 s."""
    worker = RecorderWorker()
    seqs: list[int] = []
    worker.early.connect(seqs.append)
    worker.start(ClipSource(path, realtime=False), RecordLimits(speculate_seconds=speculate))
    return worker.take(), seqs


def test_recorder_voids_the_snapshot_when_speech_resumes(qapp, make_clip, tmp_path):
    rec, seqs = record(paused_clip(make_clip, tmp_path))
    assert len(seqs) == 2  # one in the pause, one after the end
    assert rec.stopped_by == "silence"
    assert rec.speculation == seqs[-1]  # only the last one still stands

    rec, seqs = record(make_clip("Entrada, treze e quarenta."))
    assert len(seqs) == 1 and rec.speculation == seqs[0]

    # with a shorter trigger the comma pause gets a snapshot too; still only the last stands
    rec, seqs = record(make_clip("Entrada, treze e quarenta."), speculate=0.12)
    assert len(seqs) >= 1 and rec.speculation == seqs[-1]


def test_resumed_speech_is_verified_on_the_full_audio(qtbot, make_kiosk, make_clip, tmp_path):
    win, _clock, sources = make_kiosk()
    win.settings.kiosk.speculate_seconds = 0.3
    to_challenge(qtbot, win)
    submitted: list[int] = []
    submit = win.verify_worker.submit

    def spy(job, samples, phrase):
        submitted.append(samples.size)
        submit(job, samples, phrase)

    win.verify_worker.submit = spy
    speak(qtbot, win, sources, paused_clip(make_clip, tmp_path))
    lis = win.punch.listener.listening
    qtbot.waitUntil(lambda: lis.recording is not None, timeout=3000)
    rec = lis.recording
    # The snapshot of "Entrada." went to the verifier and was thrown away: the speaker resumed.
    assert len(submitted) >= 2
    assert submitted[0] < rec.samples.size - 1.0 * 16000
    assert rec.speculation != 1
    # The verdict comes from audio holding all the speech: the snapshot after the last word
    # (at most the trailing silence short of the recording) or the recording itself.
    assert submitted[-1] >= rec.samples.size - 1.6 * 16000
    results = win.punch.attempt.results
    assert len(results) == 1
    assert "Validado" in win.window.result.verdict.text(), win.window.result.heard.text()
    heard = results[-1].spoken_text.lower()
    assert "40" in heard or "quarenta" in heard, heard


def test_snapshot_is_the_verdict_when_nobody_speaks_again(qtbot, make_kiosk, make_clip):
    win, _clock, sources = make_kiosk()
    win.settings.kiosk.speculate_seconds = 0.3  # past the comma pause: one snapshot, at the end
    to_challenge(qtbot, win)
    submitted: list[int] = []
    submit = win.verify_worker.submit
    win.verify_worker.submit = lambda job, s, p: (submitted.append(s.size), submit(job, s, p))
    speak(qtbot, win, sources, make_clip("Entrada, treze e quarenta."))
    assert "Validado" in win.window.result.verdict.text(), win.window.result.heard.text()
    assert len(submitted) == 1  # no second verify at the stop
    paths = win.punch.listener.metrics["paths"]
    assert paths["full"] == 0 and paths["early"] + paths["snapshot"] == 1
    lis = win.punch.listener.listening
    if paths["early"]:  # shown before the stop: the recorder was told to stop
        qtbot.waitUntil(lambda: lis.recording is not None, timeout=3000)
        assert lis.recording.stopped_by == "verdict"
    assert len(win.punch.listener.metrics["latencies"]) == 1
