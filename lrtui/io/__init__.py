"""Files: sessions, runs exported as CSV and JSON, the bounded parse of TOML and JSON documents, and the
helpers they share (atomic writes, free names, bounded reads)."""
