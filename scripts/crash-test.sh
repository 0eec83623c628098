#!/usr/bin/env bash
# Long crash-safety run: `branchwatch run` SIGKILLed at random moments many
# times, then compared with an uninterrupted run (tests/reliability_crash.rs).
#
#   scripts/crash-test.sh            # 300 rounds, a fresh seed
#   scripts/crash-test.sh 1000       # 1000 rounds
#   BRANCHWATCH_CRASH_SEED=123 scripts/crash-test.sh 300   # replay a seed
#
# CI runs the same test with 30 rounds (the default of the test itself).
# Needs /usr/bin/python3 with aiosmtpd (Debian: python3-aiosmtpd).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-300}"
export BRANCHWATCH_CRASH_ROUNDS="$rounds"
echo "crash test: $rounds rounds${BRANCHWATCH_CRASH_SEED:+, seed $BRANCHWATCH_CRASH_SEED}" >&2
exec cargo test --release --test reliability_crash -- --nocapture --test-threads=1
