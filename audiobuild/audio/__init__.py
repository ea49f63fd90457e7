"""The episode's sound: pauses, loudness, assembly and the MP3 encoder, chapters, transcripts and ID3 tags."""
