"""`make bench`: a synthetic ICB at a million events, each figure of issue 16 beside a bare baseline."""
