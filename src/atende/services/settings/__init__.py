"""The console's settings (issue 11, docs/console.md): every change by an admin, validated by the same code
the functions load it with, written with its `audit_logs` entry in one commit."""
