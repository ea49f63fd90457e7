"""Publishing: the catalogue of episodes, the feed, the web page, the cover, and the output folder's private state."""
