"""What a run or several runs say: verdicts, scores, lint notes, the range test, WSD's branches, the loss landscape,
smoothing."""
