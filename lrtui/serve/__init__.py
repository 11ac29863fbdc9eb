"""``lrtui serve``: the app in a browser, for a lab where students cannot open a terminal.

Built on Textualize's textual-serve (the optional ``serve`` extra): :mod:`~lrtui.serve.server` starts one
app process per browser page, each with its own files (:mod:`lrtui.io.sandbox`), and
:mod:`~lrtui.serve.driver` ends a session's app when the server goes away.
"""
