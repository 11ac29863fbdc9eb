"""The Textual app, thin over the engine.

``app`` is the wiring: the state as reactives (the run, the cursor, the target, the smoothing, the view, the
board, the pinned runs, and ``shown``: the run on screen as one frozen value), the layout, and the
routes from each key (``keys``) to the part that does it, each part handed what it uses: ``run_updates``
(RunPresenter: simulate through the queue and show), ``pin_actions`` (Pinning: compare), ``session_actions``
(SessionActions: presets, files, screens), ``cursor`` (Cursor: the epoch keys and playback) and ``form_focus``
(FormFocus: the form or the plots). Textual-free helpers hold the logic: ``fields`` and ``editing`` (the form's
fields and what an edit makes of them), ``simulation`` (the queue), ``shown``, ``playback``, ``comparison``
(pinned runs, the scoreboard's rows), ``files``, ``views`` (what each plot draws); ``display`` keeps the run's
widgets; ``widgets/`` and ``screens/`` are the Textual pieces."""
