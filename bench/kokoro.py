"""The Kokoro engine's cost: CPU-seconds per second of speech on one thread, and the peak memory.

Speaks the listening tests' interview in a language (tests/data/listening/LANG.txt,
about 130 words) sentence by sentence with jm_kumo, as a build does, after one
sentence that loads the model; prints one line. CPU time, not wall time: the
figure holds on a busy machine.

    python bench/kokoro.py [LANG]      # es (default), it, pt-br, fr, de
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
import wave
from pathlib import Path

from audiobuild.model import Voice
from audiobuild.parse.text import sentences_of
from audiobuild.voice.engines import get_engine, limit_threads
from audiobuild.voice.engines.kokoro import KokoroSettings

PASSAGES = Path(__file__).resolve().parent.parent / "tests" / "data" / "listening"


def measure(language: str) -> str:
    """One line: the model's load, the real-time factor and the process's peak RSS."""
    limit_threads(1)
    text = (PASSAGES / f"{language.split('-')[0]}.txt").read_text(encoding="utf-8")
    spoken = " ".join(line.lstrip("- ") for line in text.splitlines()[1:] if line.strip())
    engine, voice = get_engine("kokoro"), Voice(language, "kokoro", KokoroSettings(style="jm_kumo"))
    with tempfile.TemporaryDirectory(prefix="audiobuild-kokoro-") as folder:
        start = time.process_time()
        engine.synthesize("Hola.", voice, Path(folder) / "load.wav")
        load, start, seconds = time.process_time() - start, time.process_time(), 0.0
        for index, sentence in enumerate(sentences_of(spoken)):
            clip = Path(folder) / f"{index}.wav"
            engine.synthesize(sentence, voice, clip)
            with wave.open(str(clip)) as audio:
                seconds += audio.getnframes() / audio.getframerate()
        cpu = time.process_time() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return (f"kokoro ({language}, jm_kumo, 1 thread): {cpu / seconds:.2f} CPU-s per second of speech "
            f"({cpu:.1f} CPU-s for {seconds:.1f} s), model load {load:.1f} CPU-s, peak RSS {peak:.0f} MB")  # fmt: skip


if __name__ == "__main__":
    print(measure(sys.argv[1] if len(sys.argv) > 1 else "es"))
