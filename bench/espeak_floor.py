"""The synthesis floor: libespeak-ng speaking a whole text to a WAV, as `espeak-ng -w` does.

Used by bench.py where the system has no `espeak-ng` program: it drives the same
library audiobuild uses (the system's, else espeakng-loader's), synchronously,
with nothing else around it.

    python bench/espeak_floor.py TEXT_FILE OUT.wav
"""

import ctypes
import os
import sys
import wave


def load_library() -> ctypes.CDLL:
    try:
        return ctypes.CDLL("libespeak-ng.so.1")
    except OSError:
        import espeakng_loader

        os.environ["ESPEAK_DATA_PATH"] = espeakng_loader.get_data_path()
        return ctypes.CDLL(espeakng_loader.get_library_path())


def main(text_path: str, wav_path: str) -> None:
    espeak = load_library()
    synchronous = 2  # AUDIO_OUTPUT_SYNCHRONOUS
    rate = espeak.espeak_Initialize(synchronous, 0, None, 0)
    chunks: list[bytes] = []
    callback_type = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)

    def collect(samples, count, events):
        if count > 0:
            chunks.append(ctypes.string_at(samples, count * 2))
        return 0

    keep = callback_type(collect)
    espeak.espeak_SetSynthCallback(keep)
    espeak.espeak_SetVoiceByName(b"gmw/en-us")
    text = open(text_path, encoding="utf-8").read().encode()
    characters_utf8 = 1
    espeak.espeak_Synth(text, len(text) + 1, 0, 0, 0, characters_utf8, None, None)
    espeak.espeak_Synchronize()
    with wave.open(wav_path, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"".join(chunks))


if __name__ == "__main__":
    main(*sys.argv[1:3])
