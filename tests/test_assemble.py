"""Stage 4, assembly: where pauses go, the timeline, and the real MP3 export."""

from __future__ import annotations

from pathlib import Path

import pytest
from mutagen.mp3 import MP3, BitrateMode

from audiobuild.assemble import assemble, export_mp3, pause_before
from audiobuild.casting import cast_voices
from audiobuild.model import Clip, Encoding, Pauses
from audiobuild.parse import parse_article
from audiobuild.pronounce import Lexicon, speech
from audiobuild.synthesize import ClipCache, synthesize
from audiobuild.voices import load_profile
from tests.audio import decode, loudness_and_true_peak, speech_onsets

ARTICLE = """Title of the talk
By Someone

- First question? It has two sentences.

- First answer.

Still the first answer.

- Second question?
"""
PAUSES = Pauses(sentence=200, paragraph=400, speaker_change=700, after_intro=1100, lead_in=250, tail=500)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("clips")
    script = parse_article(ARTICLE)
    voices = cast_voices(script, load_profile("espeak"))
    clips = synthesize(script, speech(script, voices, Lexicon()), voices, ClipCache(workdir))
    return script, clips, assemble(script, clips, PAUSES)


@pytest.fixture(scope="module")
def mp3(built, tmp_path_factory):
    path = tmp_path_factory.mktemp("mp3") / "episode.mp3"
    export_mp3(built[2], path, Encoding())
    return path


def test_pause_before_each_clip(built):
    script, clips, _ = built
    pauses = [pause_before(script, previous, clip, PAUSES) for previous, clip in zip([None, *clips], clips)]
    assert pauses == [
        250,  # lead-in before the title
        400,  # title -> byline: the narrator's next paragraph
        1100,  # after the intro
        200,  # between the question's two sentences
        700,  # interviewee starts
        400,  # same speaker, next paragraph
        700,  # interviewer again
    ]


def test_timeline_is_ordered_and_covers_every_clip(built):
    _, clips, episode = built
    assert [(span.segment, span.sentence) for span in episode.spans] == [(c.segment, c.sentence) for c in clips]
    for before, after in zip(episode.spans, episode.spans[1:]):
        assert before.start_ms < before.end_ms <= after.start_ms
    assert abs(episode.duration_ms - (episode.spans[-1].end_ms + PAUSES.tail)) <= 1


def test_spans_start_where_the_speech_starts_in_the_mp3(built, mp3):
    _, _, episode = built
    onsets = speech_onsets(decode(mp3))
    assert len(onsets) == len(episode.spans)
    for span, onset in zip(episode.spans, onsets):
        assert abs(onset - span.start_ms) <= 50, (span, onset)


def test_exported_mp3_is_cbr_mono_44khz_with_an_info_header(built, mp3):
    _, _, episode = built
    info = MP3(mp3).info
    assert (round(info.bitrate, -3), info.sample_rate, info.channels) == (64000, 44100, 1)
    assert info.bitrate_mode == BitrateMode.CBR
    assert b"Info" in mp3.read_bytes()[:4096]  # the Xing/LAME frame of a CBR file
    assert abs(info.length * 1000 - episode.duration_ms) < 0.01 * episode.duration_ms


def test_bitrate_and_sample_rate_are_configurable(built, tmp_path):
    _, _, episode = built
    mp3 = tmp_path / "episode.mp3"
    export_mp3(episode, mp3, Encoding(bitrate_kbps=96, sample_rate=48000))
    info = MP3(mp3).info
    assert (round(info.bitrate, -3), info.sample_rate) == (96000, 48000)


def test_assembling_nothing_is_an_error():
    with pytest.raises(Exception, match="nothing to speak"):
        assemble(parse_article("Title"), [], PAUSES)


def test_pause_table_for_a_synthetic_sequence():
    script = parse_article("T\n- Q?\n- A. B.\n- Q2?")
    clip = lambda segment, sentence: Clip(segment, sentence, "", Path("x.wav"))  # noqa: E731
    assert pause_before(script, None, clip(0, 0), PAUSES) == PAUSES.lead_in
    assert pause_before(script, clip(0, 0), clip(1, 0), PAUSES) == PAUSES.after_intro
    assert pause_before(script, clip(1, 0), clip(2, 0), PAUSES) == PAUSES.speaker_change
    assert pause_before(script, clip(2, 0), clip(2, 1), PAUSES) == PAUSES.sentence


def test_loudness_is_minus_16_lufs_with_true_peak_under_minus_1(mp3):
    integrated, true_peak = loudness_and_true_peak(mp3)
    assert abs(integrated - -16.0) <= 1.0
    assert true_peak <= -1.0


def test_voices_are_levelled_to_the_same_loudness(built, mp3):
    from audiobuild.loudness import measure

    script, _, episode = built
    samples = decode(mp3)
    by_speaker: dict[str, list] = {}
    for span in episode.spans:
        speaker = script.segments[span.segment].speaker
        by_speaker.setdefault(speaker, []).append(samples[span.start_ms * 22050 // 1000 : span.end_ms * 22050 // 1000])
    import numpy

    loudness = {speaker: measure(numpy.concatenate(parts), 22050) for speaker, parts in by_speaker.items()}
    assert max(loudness.values()) - min(loudness.values()) < 1.0, loudness
