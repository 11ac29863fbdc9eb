"""The Textual app: thin over the engine. ``fields`` (no Textual) turns the parameter declarations into
editable fields; the widgets draw; ``app`` holds the one state, a RunConfig, and the epoch cursor."""
