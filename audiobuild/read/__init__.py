"""Reading: an article (a file, a page, captions) or a feed, from disk or the network, as text for the parser."""
