"""The screens opened over the app: help, code, the path prompt, the presets palette."""
