"""lrtui: see and feel how learning-rate schedules shape training, in the terminal."""

__version__ = "0.1.0"
