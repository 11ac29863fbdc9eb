"""``lrtui serve``: the app in a browser, for a lab where students cannot open a terminal.

Built on Textualize's textual-serve (the optional ``serve`` extra): :mod:`~lrtui.serve.server` gives each
browser page an app process of its own, each with its own files (:mod:`lrtui.io.sandbox`), forked from a
process that has imported the app (:mod:`~lrtui.serve.zygote`, :mod:`~lrtui.serve.forked`), and
:mod:`~lrtui.serve.driver` ends a session's app when the server goes away.
"""
