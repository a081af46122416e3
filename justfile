# Employer My Page — developer commands. `just ready` is exactly what CI runs.

# Serve on 127.0.0.1:8080 with the embedded defaults (SQLite and mail files in ./data).
run:
    cargo run --release -p mypage-server

# Walk cases A, B and C in the terminal.
walkthrough:
    cargo run -p mypage-walkthrough

# Every test, with nothing allowed to skip.
test:
    MYPAGE_TEST_STRICT=1 cargo test --workspace

# The end-to-end walks: the real binary over HTTP (SQLite, PostgreSQL with SMTP, restarts, two servers) and
# cases A, B and C in headless Chromium.
e2e:
    MYPAGE_TEST_STRICT=1 cargo test -p mypage-server --test server
    MYPAGE_TEST_STRICT=1 cargo test -p mypage-http --test browser

# The load benchmark of the release binary; prints figures and their ratios to /healthz.
bench:
    cargo bench -p mypage-server --bench load

# The establishment register's import (R18) of 100,000 lines on SQLite and PostgreSQL; prints seconds and lines/s.
bench-register:
    cargo bench -p mypage-server --bench register

# Whether a key request takes as long whatever the address (R8): builds and starts the release server, then prints
# per purpose and kind of address the median, p90 and Mann-Whitney p against unknown addresses (docs/security.md).
timing *ARGS:
    python3 scripts/timing.py {{ARGS}}

# Exactly what CI runs: formatting, clippy, tests, docs, purity and licences.
ready:
    bash .ci/run

# Format the code.
fmt:
    cargo fmt --all
