"""Measure the bundled profiles' voices once: the levels a folder's first build starts encoding at.

    make voice-levels        # writes voices/levels.json

Builds a few generated interviews (`bench.make_article`, no sentence twice) with
each profile into a scratch folder. Each build refines that folder's record of
every voice it used (`voice.synthesize.VoiceLevels`); what the records settle at,
with the seconds of speech behind them, is written for each of the profile's
voices that spoke. Run it again when an engine or a profile's voices change: a
prior that is off costs a first build no more than the second encoding it makes
without one.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from audiobuild.config import Config  # noqa: E402
from audiobuild.voice.profiles import load_profile  # noqa: E402
from audiobuild.voice.synthesize import CACHE_DIR, LEVELS_FILE, VoiceLevels, voice_key  # noqa: E402
from bench.bench import make_article  # noqa: E402

PROFILES = ("espeak", "natural")  # English, as the generated articles are; Kokoro's speak other languages


def measure(profile_name: str, scratch: Path, articles: int, words: int) -> dict[str, dict]:
    """LEVELS_FILE's entries for the voices of `profile_name` that spoke in `articles` builds of `words` words."""
    output = scratch / profile_name
    for number in range(articles):
        article = scratch / f"{profile_name}-{number}.txt"
        title = f"Conversation number {number} about the lighthouse"
        article.write_text(make_article(words, seed=1000 + number, title=title, distinct=True), encoding="utf-8")
        command = [sys.executable, "-m", "audiobuild", "build", "-q", "-o", str(output), "--voices", profile_name,
                   "--publish", str(article)]  # fmt: skip
        subprocess.run(command, cwd=REPO, check=True)
    config = Config()
    pauses = config.pauses.at_pace(config.reading.rate)
    recorded = VoiceLevels(output / CACHE_DIR, shipped={})
    profile = load_profile(profile_name)
    entries = {}
    for name, voice in profile.all_voices.items():
        known = recorded.prior({name: voice}, pauses)
        if name in known:
            gain, seconds = known[name]
            label = f"{profile_name} [{name}]: {voice.engine} {voice.settings.label(voice.voice)}"
            entries[voice_key(voice)] = {"voice": label, "gain_db": round(gain, 2), "seconds": round(seconds)}
    return entries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=4, help="builds per profile (default: 4)")
    parser.add_argument("--words", type=int, default=1500, help="words per article (default: 1500)")
    parser.add_argument("--output", type=Path, default=REPO / "voices" / LEVELS_FILE)
    args = parser.parse_args()
    voices: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="audiobuild-levels-") as folder:
        for profile in PROFILES:
            voices |= measure(profile, Path(folder), args.articles, args.words)
    document = {
        "about": "Each voice's whole gain (dB) in episodes built with it, and the seconds of speech it was "
                 "measured on: where a folder's first build starts encoding (voice.synthesize.shipped_levels). "
                 "Written by `make voice-levels` (bench/voice_levels.py).",
        "voices": dict(sorted(voices.items(), key=lambda item: item[1]["voice"])),
    }  # fmt: skip
    args.output.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for entry in document["voices"].values():
        print(f"{entry['gain_db']:+6.2f} dB over {entry['seconds']:>4} s  {entry['voice']}")


if __name__ == "__main__":
    main()
