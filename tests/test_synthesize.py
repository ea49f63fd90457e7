"""Stage 3, synthesis with the real espeak-ng engine (pyttsx3); Piper and hibari have their own test files."""

from __future__ import annotations

import dataclasses
import os
import time
import wave

import pytest

from audiobuild.config import load_config
from audiobuild.model import Pauses
from audiobuild.parse import parse_article
from audiobuild.voice.casting import cast_voices
from audiobuild.voice.engines import get_engine
from audiobuild.voice.profiles import load_profile
from audiobuild.voice.pronounce import Lexicon, speech
from audiobuild.voice.synthesize import ClipCache, VoiceLevels, cache_usage, prune_cache, speakable, synthesize
from tests.audio import decode, median_pitch


def test_engine_writes_a_22khz_mono_wav(tmp_path):
    wav = tmp_path / "hello.wav"
    get_engine().synthesize("Hello from the lighthouse.", load_profile("espeak").voice_for("narrator"), wav)
    with wave.open(str(wav)) as audio:
        assert (audio.getframerate(), audio.getnchannels(), audio.getsampwidth()) == (22050, 1, 2)
        assert 0.8 < audio.getnframes() / audio.getframerate() < 4


def test_engine_reports_its_version_and_voices():
    engine = get_engine()
    assert engine.version.startswith("espeak-ng ")
    ids = {voice.id for voice in engine.voices}
    assert {"gmw/en-us", "gmw/en-gb-x-rp", "zle/ru"} <= ids
    assert {"f3", "m3"} <= set(engine.variants)


def test_default_interviewer_and_interviewee_differ_in_pitch_by_over_30_percent(tmp_path):
    profile = load_profile("espeak")
    text = "We spoke for an hour about the sea, the weather and the long winter nights."
    pitches = {}
    for role in ("interviewer", "interviewee"):
        wav = tmp_path / f"{role}.wav"
        get_engine().synthesize(text, profile.voice_for(role), wav)
        pitches[role] = median_pitch(decode(wav))
    high, low = max(pitches.values()), min(pitches.values())
    assert high / low > 1.3, pitches


def test_synthesize_makes_one_clip_per_speakable_sentence(tmp_path):
    script = parse_article("Title here\n\n- First question? Second part.\n\n- An answer... \u2026\n")
    voices = cast_voices(script, load_profile("espeak"))
    clips = synthesize(script, speech(script, voices, Lexicon()), voices, ClipCache(tmp_path))
    assert [(clip.segment, clip.sentence, clip.text) for clip in clips] == [
        (0, 0, "Title here"),
        (1, 0, "First question?"),
        (1, 1, "Second part."),
        (2, 0, "An answer... \u2026"),
    ]
    assert all(clip.wav.is_file() for clip in clips)


def test_speakable():
    assert speakable("A.") and speakable("42")
    assert not speakable("... \u2014 !")


@pytest.mark.slow
def test_every_sentence_gets_audio_when_voices_switch_often(tmp_path):
    # espeak applies voice settings on its own thread; synthesizing while it was
    # still busy with them once lost about one sentence in a hundred.
    profile = load_profile("espeak")
    roles = ["narrator", "interviewer", "interviewee"]
    for index in range(240):
        voice = profile.voice_for(roles[index % 3])
        get_engine().synthesize(f"Sentence {index} of the stress test.", voice, tmp_path / f"{index}.wav")


def test_cache_reuses_clips_and_treats_a_corrupt_one_as_a_miss(tmp_path):
    cache = ClipCache(tmp_path / "cache")
    script = parse_article("A title\n- A question?\n- An answer.")
    voices = cast_voices(script, load_profile("espeak"))
    said = speech(script, voices, Lexicon())
    staged = synthesize(script, said, voices, cache)
    assert all(clip.wav.is_relative_to(cache.staging) for clip in staged)
    cache.commit()  # the episode was built: its new clips join the cache
    assert not cache.staging.exists()
    first = synthesize(script, said, voices, ClipCache(cache.folder))
    stamps = {clip.wav: clip.wav.stat().st_mtime_ns for clip in first}
    assert all(ClipCache.valid(clip.wav) and not clip.wav.is_relative_to(cache.staging) for clip in first)
    again = synthesize(script, said, voices, ClipCache(cache.folder))
    assert again == first and all(clip.wav.stat().st_mtime_ns == stamps[clip.wav] for clip in again)

    broken = first[1].wav
    broken.write_bytes(broken.read_bytes()[:100])  # a crash mid-write, or disk trouble
    assert not ClipCache.valid(broken)
    fresh = ClipCache(cache.folder)
    synthesize(script, said, voices, fresh)
    fresh.commit()
    assert ClipCache.valid(broken) and broken.stat().st_size > 1000
    assert not list(cache.folder.rglob(".tmp-*"))


def test_a_failed_build_discards_only_its_own_new_clips(tmp_path):
    cache = ClipCache(tmp_path / "cache")
    script = parse_article("A title\n- A question?\n- An answer.")
    voices = cast_voices(script, load_profile("espeak"))
    synthesize(script, speech(script, voices, Lexicon()), voices, cache)
    cache.commit()
    kept = sorted(cache.folder.rglob("*.wav"))
    failing = ClipCache(cache.folder)
    other = parse_article("A title\n- Another question?\n- An answer.")
    synthesize(other, speech(other, voices, Lexicon()), voices, failing)
    failing.discard()
    assert sorted(cache.folder.rglob("*.wav")) == kept


def test_cache_key_covers_text_voice_and_engine_version(tmp_path):
    cache = ClipCache(tmp_path)
    voice = load_profile("espeak").voice_for("narrator")
    base = cache.path("Hello.", voice, "espeak-ng 1.52.0")
    assert base == cache.path("Hello.", voice, "espeak-ng 1.52.0")
    assert base.is_relative_to(tmp_path)
    changed = [
        cache.path("Hello!", voice, "espeak-ng 1.52.0"),
        cache.path("Hello.", voice, "espeak-ng 1.53.0"),
        *(cache.path("Hello.", dataclasses.replace(voice, **{name: value}), "espeak-ng 1.52.0")
          for name, value in [("voice", "gmw/en-us"), ("volume", 0.9), ("engine", "piper")]),
        *(cache.path("Hello.", dataclasses.replace(voice, settings=settings), "espeak-ng 1.52.0")
          for settings in [dataclasses.replace(voice.settings, **{name: value})
                           for name, value in [("variant", "f2"), ("rate", 171), ("pitch", 51)]]),
    ]  # fmt: skip
    assert len({base, *changed}) == len(changed) + 1


def test_pyttsx3_still_has_what_our_espeak_driver_relies_on():
    from audiobuild.voice.engines import pyttsx3_driver

    pyttsx3_driver.check(get_engine("pyttsx3")._driver.instances[-1])  # raises DriverMismatch naming what changed


def test_a_changed_pyttsx3_is_named_in_one_line(monkeypatch):
    # A stand-in for a future pyttsx3 release: its driver's private method renamed.
    from audiobuild.voice.engines import pyttsx3_driver

    monkeypatch.delattr(pyttsx3_driver.EspeakDriver, "_start_synthesis")
    with pytest.raises(pyttsx3_driver.DriverMismatch, match=r"pyttsx3 2\.99 has no EspeakDriver\._start_synthesis"):
        pyttsx3_driver.check()


def test_the_reading_rate_goes_through_each_engines_speed_control_and_the_pauses(tmp_path):
    config = tmp_path / "podcast.toml"
    config.write_text("[reading]\nrate = 1.3\n")
    rate = load_config(config).reading.rate  # not a time stretch: each engine speaks faster in its own way
    assert Pauses().at_pace(rate).speaker_change == round(Pauses().speaker_change / 1.3)
    for profile in ("espeak", "natural"):
        voice = load_profile(profile).voice_for("interviewer")
        seconds = []
        for index, settings in enumerate((voice.settings, voice.settings.at_pace(rate))):
            wav = tmp_path / f"{profile}-{index}.wav"
            get_engine(voice.engine).synthesize(
                "We spoke for an hour about the sea, the weather and the long winter nights.",
                dataclasses.replace(voice, settings=settings),
                wav,
            )
            with wave.open(str(wav)) as audio:
                seconds.append(audio.getnframes() / audio.getframerate())
        assert seconds[1] == pytest.approx(seconds[0] / rate, rel=0.12), (profile, seconds)


def _last_used(path, hours_ago: float) -> None:
    """Say `path` was last used (read) `hours_ago`, keeping when it was written."""
    os.utime(path, ns=(time.time_ns() - int(hours_ago * 3600e9), path.stat().st_mtime_ns))


def test_the_cache_is_pruned_to_its_cap_least_recently_used_first_never_what_a_build_uses(tmp_path):
    cache = ClipCache(tmp_path / "cache")
    script = parse_article("A title\n- A question?\n- An answer.")
    voices = cast_voices(script, load_profile("espeak"))
    said = speech(script, voices, Lexicon())
    synthesize(script, said, voices, cache)
    cache.commit()
    title, question, answer = (clip.wav for clip in synthesize(script, said, voices, ClipCache(cache.folder)))
    for path, hours in ((title, 3), (question, 2), (answer, 1.5)):
        _last_used(path, hours)
    sizes = {path: path.stat().st_size for path in (title, question, answer)}
    written = title.stat().st_mtime_ns
    usage = cache_usage(cache.folder)
    assert (usage.clips, usage.size, usage.in_use) == (3, sum(sizes.values()), 0)
    # A build reads the title again: a hit makes it the most recently used, and does not rewrite it.
    speaker = voices[script.segments[0].speaker]
    assert ClipCache(cache.folder).lookup(said[0][0], speaker, get_engine().clip_version(speaker)) == (title, True)
    assert title.stat().st_mtime_ns == written and cache_usage(cache.folder).in_use == sizes[title]
    assert prune_cache(cache.folder, usage.size - 1) == (1, sizes[question])  # the least recently used first
    assert not question.exists() and answer.exists() and title.exists()
    assert prune_cache(cache.folder, 0) == (1, sizes[answer])
    assert sorted(cache.folder.glob("*/*.wav")) == [title]  # used within the hour: a build beside may read it


def test_voice_levels_are_kept_beside_the_clip_cache_per_voice_and_pauses_and_refined_by_seconds_heard(tmp_path):
    profile = load_profile("espeak")
    voices = {"Narrator": profile.voice_for("narrator"), "Guest": profile.voice_for("interviewee")}
    pauses = Pauses()
    levels = VoiceLevels(tmp_path / ".cache" / "clips")
    assert levels.prior(voices, pauses) == {}
    levels.record(voices, pauses, {"Narrator": 10.0, "Guest": 6.0}, {"Narrator": 30.0, "Guest": 0.0})
    assert levels.prior(voices, pauses) == {"Narrator": (10.0, 30.0)}  # a voice not heard teaches nothing
    assert levels.prior(voices, dataclasses.replace(pauses, sentence=pauses.sentence + 100)) == {}
    levels.record(voices, pauses, {"Narrator": 12.0}, {"Narrator": 90.0})
    assert levels.prior(voices, pauses)["Narrator"] == pytest.approx(((10 * 30 + 12 * 90) / 120, 120), abs=0.001)
    levels.record(voices, pauses, {"Narrator": 14.0}, {"Narrator": 600.0})  # the past weighs 120 s, not more
    assert levels.prior(voices, pauses)["Narrator"] == pytest.approx(((11.5 * 120 + 14 * 600) / 720, 600), abs=0.001)
    levels.record(voices, pauses, {"Narrator": 20.0}, {"Narrator": 6000.0})  # and at most _PRIOR_WEIGHT_S
    gain, weight = levels.prior(voices, pauses)["Narrator"]
    assert gain == pytest.approx((13.583 * 600 + 20 * 6000) / 6600, abs=0.01) and weight == 600
    (recorded,) = (tmp_path / ".cache" / "levels").iterdir()
    assert not (tmp_path / ".cache" / "clips").exists()  # pruning the clips never sees it
    recorded.write_text('{"gain_db": "loud"')
    assert levels.prior(voices, pauses) == {}  # a damaged prior is none: the build plans on its clips
