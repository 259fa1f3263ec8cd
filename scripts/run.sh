#!/bin/sh
# `make run`: the paging engine beside the web server; when one stops, both stop.
set -u
BIN="${BIN:-.venv/bin}"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
. "$(dirname "$0")/run_env.sh"
"$BIN/python" manage.py collectstatic --noinput --verbosity 0 || exit 1
"$BIN/python" manage.py engine &
engine=$!
"$BIN/granian" --interface wsgi --host "$HOST" --port "$PORT" \
    --workers 1 --blocking-threads 4 --no-ws backline.wsgi:application &
web=$!
trap 'kill "$engine" "$web" 2>/dev/null' INT TERM
while kill -0 "$engine" 2>/dev/null && kill -0 "$web" 2>/dev/null; do
    sleep 1
done
kill "$engine" "$web" 2>/dev/null
wait
