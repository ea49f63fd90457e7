"""Transcripts: WebVTT, SRT and Podcasting 2.0 JSON from the timeline, read back with real parsers."""

from __future__ import annotations

import html
import io
import json

import webvtt

from audiobuild.audio.assemble import assemble
from audiobuild.audio.transcript import LINE_LIMIT, Cue, cues, plain_text, podcast_json, srt
from audiobuild.audio.transcript import webvtt as render_webvtt
from audiobuild.model import Pauses, Span
from audiobuild.parse import parse_article
from audiobuild.voice.casting import cast_voices
from audiobuild.voice.profiles import load_profile
from audiobuild.voice.pronounce import Lexicon, speech
from audiobuild.voice.synthesize import ClipCache, synthesize

SCRIPT = parse_article(
    "Ada Lindqvist: A lighthouse teaches you to listen\nBy The Gazette\n"
    "- Were you afraid? Tell us about the storm of 1998 & the <waves> --> that reached the gallery forty metres up.\n"
    "- Only once. The whole tower hummed like a bell while I sat with the radio and counted the seconds.\n"
)
SPANS = [
    Span(0, 0, SCRIPT.segments[0].text, 300, 2000),
    Span(1, 0, "By The Gazette", 2400, 3500),
    Span(2, 0, "Were you afraid?", 4800, 5900),
    Span(2, 1, SCRIPT.segments[2].sentences[1], 6150, 11000),
    Span(3, 0, "Only once.", 11850, 12600),
    Span(3, 1, SCRIPT.segments[3].sentences[1], 12850, 3_725_123),
]
CUES = cues(SCRIPT, SPANS)


def test_webvtt_parses_with_voice_tags_where_the_speaker_changes():
    captions = webvtt.from_buffer(io.StringIO(render_webvtt(CUES)))
    assert [(c.start, c.end) for c in captions][:2] == [
        ("00:00:00.300", "00:00:02.000"),
        ("00:00:02.400", "00:00:03.500"),
    ]
    assert captions[-1].end == "01:02:05.123"
    assert [c.voice for c in captions] == ["Narrator", None, "Interviewer", None, "Ada Lindqvist", None]
    # webvtt-py leaves character references as they are: the specials were escaped
    assert html.unescape(captions[3].text.replace("\n", " ")) == SPANS[3].text


def test_webvtt_lines_are_at_most_65_characters_including_the_voice_tag():
    text = render_webvtt(CUES)
    assert text.startswith("WEBVTT\n\n")
    for line in text.splitlines():
        assert len(line.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")) <= LINE_LIMIT, line


def test_srt_numbered_blocks_with_speaker_names():
    blocks = srt(CUES).strip().split("\n\n")
    assert len(blocks) == len(CUES)
    number, timing, first_line = blocks[2].splitlines()[:3]
    assert number == "3" and timing == "00:00:04,800 --> 00:00:05,900"
    assert first_line == "Interviewer: Were you afraid?"
    assert blocks[3].splitlines()[2].startswith("Tell us")


def test_podcasting_2_json_transcript():
    data = json.loads(podcast_json(CUES))
    assert data["version"] == "1.0.0"
    assert data["segments"][2] == {
        "speaker": "Interviewer",
        "startTime": 4.8,
        "endTime": 5.9,
        "body": "Were you afraid?",
    }
    assert len(data["segments"]) == len(SPANS)


def test_plain_text_names_each_new_speaker():
    text = plain_text(SCRIPT)
    assert text.startswith("Narrator: Ada Lindqvist: A lighthouse teaches you to listen\n\nBy The Gazette\n\n")
    assert "\n\nInterviewer: Were you afraid?" in text and "\n\nAda Lindqvist: Only once." in text


def test_captions_never_cut_a_word_even_after_the_longest_speaker_name():
    full = "Her Excellency Ambassador Maria Teresa Rodríguez de la Fuente y Alvarado"  # as long as a label may be
    sentence = "Wherever we walked, the wind followed us home across the long grey fields."
    for length in range(40, len(full) + 1):  # wherever the line's end falls
        cue = [Cue(0, 4000, full[:length].strip(), sentence)]
        for captions in (render_webvtt(cue), srt(cue)):
            words = " ".join(captions.splitlines()).replace(">", "> ").replace(": ", " ").split()
            assert all(word in words for word in sentence.split()), captions


def test_what_no_voice_could_say_stays_in_the_transcript(tmp_path):
    # Issue 24: emoji and letters of a script the voices cannot speak are left out of speech, not of the transcript.
    script = parse_article(
        "Tea\n\n- What was the best month? 🤔\n- 茶。 December.\n- And 東京?\n- 東京。\n- Fine.\n- 👍\n- Bye.\n"
    )
    voices = cast_voices(script, load_profile("espeak"))
    clips = synthesize(script, speech(script, voices, Lexicon()), voices, ClipCache(tmp_path))
    shown = [(cue.speaker, cue.text) for cue in cues(script, assemble(script, clips, Pauses()).spans)]
    assert shown == [
        ("Narrator", "Tea"),
        ("Interviewer", "What was the best month? 🤔"),
        ("Interviewee", "茶。 December."),  # said: "December."
        ("Interviewer", "And 東京?"),
        ("Interviewee", "東京。"),  # nothing said: shown in the pause, as a stage direction is
        ("Interviewer", "Fine."),
        ("Interviewee", "👍"),
        ("Interviewer", "Bye."),
    ]
