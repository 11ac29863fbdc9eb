"""The app's own widgets: the parameter form, the plots with their cursor, the scoreboard."""
