# The environment of `make run` (sourced by scripts/run.sh, and by the test that checks
# it): the demo runs as production would, with debug off, so nobody sees a traceback and
# WhiteNoise serves the collected static files; demo accounts may skip MFA.
export BACKLINE_DEBUG="${BACKLINE_DEBUG:-off}"
export BACKLINE_DEMO="${BACKLINE_DEMO:-1}"
export BACKLINE_PUBLIC_URL="${BACKLINE_PUBLIC_URL:-http://${HOST:-127.0.0.1}:${PORT:-8000}}"
