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

# Exactly what CI runs: formatting, clippy, tests, docs, purity and licences.
ready:
    bash .ci/run

# Format the code.
fmt:
    cargo fmt --all
