#!/bin/sh
# An example key helper, the kind tools such as Claude Code run as their "apiKeyHelper": it prints an
# API key on stdout, and nothing else. Real helpers ask a vault instead, e.g.
#   vault kv get -field=api_key secret/claude-code
#   aws secretsmanager get-secret-value --secret-id prod/claude --query SecretString --output text
#   op read op://Private/claude/api_key
# This one needs nothing installed, so that the README's first command works on a fresh machine:
#   ./keysource get script:examples/get-api-key.sh
# It prints $EXAMPLE_API_KEY if set, else the key in $EXAMPLE_API_KEY_FILE (default
# ~/.config/keysource-example/api-key) if readable, else a placeholder key (and says so on stderr).
set -eu

if [ -n "${EXAMPLE_API_KEY:-}" ]; then
  printf '%s\n' "$EXAMPLE_API_KEY"
  exit 0
fi
key_file="${EXAMPLE_API_KEY_FILE:-${HOME:-/nonexistent}/.config/keysource-example/api-key}"
if [ -r "$key_file" ]; then
  cat "$key_file"
  exit 0
fi
echo "get-api-key.sh: no EXAMPLE_API_KEY and no $key_file; printing a placeholder key" >&2
echo "sk-example-0000-not-a-real-key"
