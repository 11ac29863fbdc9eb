"""Files: sessions, runs exported as CSV and JSON, the bounded parse of TOML and JSON documents, the helpers
they share (atomic writes, free names, bounded reads), and a browser session's own folder (``sandbox``)."""
