# Employer My Page — developer commands. `just ready` is exactly what CI runs.

# Walk cases A, B and C in the terminal.
run:
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
