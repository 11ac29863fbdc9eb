"""The Textual app, thin over the engine.

``app`` is the wiring: the state as reactives (the run, the cursor, the target, the smoothing, the view, the
board), the layout, the keys (``keys``) and the routing, with its three parts ``run_updates`` (simulate and
show), ``pin_actions`` (compare) and ``session_actions`` (presets, files, screens). Textual-free helpers hold
the logic: ``fields`` and ``editing`` (the form's fields and what an edit makes of them), ``simulation`` (the
queue), ``playback``, ``comparison`` (pinned runs, the scoreboard's rows), ``files``, ``views`` (what each plot
draws); ``display`` keeps the run's widgets; ``widgets/`` and ``screens/`` are the Textual pieces."""
