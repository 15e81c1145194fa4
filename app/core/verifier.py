"""The verifier: audio + expected phrase -> VerifyResult. Every front calls this.

A pipeline of views (``app.core.views``) over one clip: decode -> VAD (speech regions) ->
encode only the speech (+1 s), not a padded 30-s window -> the views listed in
``EngineOptions.views``, in order, each adding what it read (greedy; the time on its own window
after a pause) until the judge (``app.core.judge``) says no
further view can change the verdict -> the judge decides once: accept by text, or closed-set
scoring of the expected phrase against its in-grammar rivals and every other phrase read, with
a margin and a plausibility floor. The result is frozen.
The expected phrase is never given to Whisper as a prompt or hotword: that makes it "hear" it.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from app import paths
from app.core import audio as audio_mod
from app.core import decoding, scoring, vad
from app.core.config import EngineOptions, options_from
from app.core.errors import ModelError
from app.core.judge import Judge
from app.core.model import load_model
from app.core.phrase import Phrase, parse_expected
from app.core.result import NO_SPEECH, Timings, Verdict, VerifyResult
from app.core.views import Clip, Reading, Views


class Verifier:
    """Loads the model once; ``verify`` is safe to call from several threads."""

    def __init__(self, options: EngineOptions | None = None, cache_root: Path | None = None):
        # No options: defaults plus PONTOVOZ_* environment (the API and Lambda way). The settings
        # file is never read here; fronts that honour it pass app.settings.engine_options().
        self.options = options or options_from({})
        self._cache_root = cache_root
        self._model = None
        self._tokenizer = None
        self._lock = threading.Lock()
        self.load_seconds: float | None = None

    @property
    def loaded(self) -> bool:
        return self._model is not None

    @property
    def model(self):  # faster_whisper.WhisperModel
        if self._model is None:
            self.load()
        return self._model

    def load(self) -> float:
        """Load the model (assembling the embedded one on first use). Returns seconds spent."""
        with self._lock:
            if self._model is not None:
                return 0.0
            from faster_whisper.tokenizer import Tokenizer

            start = time.perf_counter()
            model = load_model(self.options, self._cache_root or paths.cache_dir())
            if not model.model.is_multilingual:
                raise ModelError("o modelo Whisper só entende inglês; use um modelo multilíngue")
            self._tokenizer = Tokenizer(
                model.hf_tokenizer, True, task="transcribe", language=self.options.language
            )
            self._model = model
            self.load_seconds = time.perf_counter() - start
            return self.load_seconds

    def verify(self, audio: audio_mod.AudioInput, expected: str | Phrase) -> VerifyResult:
        """Decide whether ``audio`` says ``expected``. Raises AudioError/PhraseError/ModelError."""
        model = self.model  # loads on first use; not counted in the timings
        t = Timings()
        start = time.perf_counter()
        phrase = (
            expected
            if isinstance(expected, Phrase)
            else parse_expected(expected, self.options.punch_types)
        )
        samples = audio_mod.decode(audio, self.options.max_audio_seconds)
        t.decode = time.perf_counter() - start

        mark = time.perf_counter()
        spans = vad.speech_spans(samples, self.options.vad_threshold)
        t.vad = time.perf_counter() - mark
        if not spans:
            return self._done(Verdict(False, "", None, NO_SPEECH, "none"), phrase, t, start)

        mark = time.perf_counter()
        encoder_output, num_frames = decoding.encode(model, samples[spans[0][0] : spans[-1][1]])
        t.encode = time.perf_counter() - mark

        clip = Clip(samples, spans, encoder_output, num_frames, phrase)
        scorer = scoring.Scorer(
            model, self._tokenizer, encoder_output, num_frames, self.options.punch_types
        )
        judge = Judge(scorer, phrase, self.options)
        views = Views(model, self._tokenizer, self.options)
        readings: list[Reading] = []
        ran: list[str] = []
        for name in self.options.views:
            mark = time.perf_counter()
            final = bool(readings) and judge.final(readings)
            t.score += time.perf_counter() - mark
            if final:
                break
            mark = time.perf_counter()
            readings += views.get(name)(clip, readings)
            ran.append(name)
            t.decode_text += time.perf_counter() - mark
        mark = time.perf_counter()
        verdict = judge.decide(readings)
        t.score += time.perf_counter() - mark
        return self._done(verdict, phrase, t, start, tuple(ran))

    @staticmethod
    def _done(
        verdict: Verdict, phrase: Phrase, t: Timings, start: float, ran: tuple[str, ...] = ()
    ) -> VerifyResult:
        t.total = time.perf_counter() - start
        return VerifyResult.of(verdict, phrase, t, ran)
