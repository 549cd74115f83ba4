# tests/api/invoices.sh - agreements and invoices over HTTP (tests/api/test_invoices.py).
exec python3 "$(dirname "$0")/test_invoices.py"
