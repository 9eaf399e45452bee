"""The results folder: tables, charts, manifest, summary and report, written atomically."""
