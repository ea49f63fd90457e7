"""Serving the output folder over HTTP(S), and the inbox that takes articles sent from a phone."""
