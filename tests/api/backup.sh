# tests/api/backup.sh - backup under load and restore (tests/api/test_backup.py).
exec python3 "$(dirname "$0")/test_backup.py"
