"""The workflow engine: definitions from workflows/*.yaml, guards and actions by name, one runner."""
