"""The workflow tests read the definitions when collected, so the features register first."""

from psirf import features

features.load()
