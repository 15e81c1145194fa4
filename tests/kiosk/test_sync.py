"""Sync from the kiosk: the SyncWorker starts when sync is on, punches queue for the cloud,
the idle screen shows the queue length, and the worker stops on exit."""

from __future__ import annotations

from tests.kiosk.conftest import speak, to_challenge


def test_sync_queue_on_idle_and_worker_lifecycle(qtbot, make_kiosk, make_clip):
    win, _clock, sources = make_kiosk()
    assert win.sync.worker is None and not win.window.idle.sync.isVisibleTo(win.window.idle)
    s = win.store.load()
    s.sync.enabled = True
    s.sync.endpoint = "http://127.0.0.1:9/verify"  # real: nothing listens there (endpoint down)
    win.store.save(s)
    win.start()
    worker = win.sync.worker
    assert worker is not None and worker.status().running
    assert win.window.idle.sync.text() == "Sincronização: em dia"
    to_challenge(qtbot, win)
    speak(qtbot, win, sources, make_clip("Entrada, treze e quarenta."))
    assert "Validado" in win.window.result.verdict.text(), win.window.result.heard.text()
    win.window.result.accept_button.click()
    assert win.window.stack.currentWidget() is win.window.receipt
    win.go_idle()
    win.window.tick()
    win.sync.refresh()
    assert win.window.idle.sync.text() == "Sincronização: 1 pendente"
    assert win.window.idle.sync.isVisibleTo(win.window.idle)
    win.shutdown()
    assert win.sync.worker is None and not worker.status().running
