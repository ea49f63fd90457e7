"""Where pauses are decided: the silence before each clip, from who speaks it and what it follows.

The lengths themselves are `model.Pauses`, set in podcast.toml's [pauses] table.
"""

from __future__ import annotations

from audiobuild.model import Clip, Pauses, Script


def pause_before(script: Script, previous: Clip | None, clip: Clip, pauses: Pauses) -> int:
    """Milliseconds of silence before `clip`, given the clip spoken just before it."""
    if previous is None:
        return pauses.lead_in
    if previous.segment == clip.segment:
        return pauses.sentence
    if previous.segment < script.intro_end <= clip.segment:
        return pauses.after_intro
    if script.segments[previous.segment].speaker != script.segments[clip.segment].speaker:
        return pauses.speaker_change
    return pauses.paragraph
