"""Files: sessions, the bounded parse of TOML and JSON documents."""
