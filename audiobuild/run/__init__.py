"""Running builds: one episode (pipeline), many (batch, cluster), from feeds (follow), and the editable script file."""
