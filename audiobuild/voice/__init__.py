"""Voicing: the engines, the voice profiles, who speaks with which voice (casting),
what each sentence is said as (pronounce), and the clips (synthesize)."""
