"""Text plots with no Textual in them: decimation, round ticks, the headless --plot."""
