# The environment of the demo, sourced by scripts/run (and by its test, src/casacomuni/demo/tests/
# test_run_environment.py). Each variable keeps the value its caller set, if any.

# The port the web server listens on: PORT=8001 scripts/run.
export PORT="${PORT:-8000}"
# The links in the e-mails (sent by the worker) and the URIs of the open-data catalogues point to the
# server just started, on whatever port it was given.
export CASACOMUNI_BASE_URL="${CASACOMUNI_BASE_URL:-http://127.0.0.1:$PORT}"
# Run as production does: the platform's own Italian 404 and 500 pages, not Django's debug pages (a
# developer who wants those starts DEBUG=1 scripts/run). Static files are served by WhiteNoise either way.
export DEBUG="${DEBUG:-0}"
# The second factor compulsory for administrators, as in production: the demo logins printed by
# scripts/run include the administrators' authenticator codes.
export CASACOMUNI_MFA_REQUIRED_FOR_ADMINS="${CASACOMUNI_MFA_REQUIRED_FOR_ADMINS:-1}"
