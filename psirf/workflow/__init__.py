"""The workflow engine: definitions from workflows/*.yaml, guards and actions by name, one runner.

A leaf: it imports no feature, no policy and no web (an import-linter contract in `make lint`
holds it so). Features register their rules with it through `psirf.features.load`.
"""
