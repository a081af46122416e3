//! The argon2id implementations side by side (issue 15): ms per hash at the server's parameters
//! (m=19456 KiB, t=2, p=1 by default), each with its ratio to the RustCrypto `argon2` crate.
//!
//! `cargo bench -p mypage-credentials --bench hashers` (release build). The candidates run interleaved, round by
//! round, in one process, so that the noise of a shared machine falls on all of them alike; the ratios within one
//! run are what to compare, not the absolute figures between runs. Each arm reuses its working memory between
//! hashes as the server does, except the `fresh` arm, which allocates it for every hash. Before timing, the tags of
//! every arm are checked to be identical.
//!
//! Knobs (environment): `HASHERS_ROUNDS` (default 7), `HASHERS_PER_ROUND` (hashes per arm per round, default 8),
//! `HASHERS_M`, `HASHERS_T`, `HASHERS_P`.
#![expect(clippy::print_stdout, reason = "a benchmark prints its figures")]
#![expect(clippy::unwrap_used, reason = "a benchmark stops at the first failure")]

use std::time::Instant;

fn env(name: &str, default: u32) -> u32 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Computes the 32-byte tag of a password and salt.
type Hash = Box<dyn FnMut(&[u8], &[u8], &mut [u8; 32])>;

/// One implementation under test.
struct Arm {
    name: &'static str,
    hash: Hash,
    times: Vec<f64>,
}

fn arms(m: u32, t: u32, p: u32) -> Vec<Arm> {
    let rc = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(m, t, p, Some(32)).unwrap(),
    );
    let mut rc_memory = vec![argon2::Block::new(); rc.params().block_count()];
    let ar_params = argon2_rust::Params::builder()
        .memory(argon2_rust::params::Memory::kib(u64::from(m)))
        .passes(t)
        .lanes(p)
        .build()
        .unwrap();
    let ar = argon2_rust::Argon2::new(argon2_rust::Algorithm::Argon2id, argon2_rust::Version::V0x13, ar_params);
    let mut ar_hasher = ar.hasher();
    let sru = rust_argon2::Config {
        variant: rust_argon2::Variant::Argon2id,
        version: rust_argon2::Version::Version13,
        mem_cost: m,
        time_cost: t,
        lanes: p,
        hash_length: 32,
        ..rust_argon2::Config::default()
    };
    let arm = |name, hash: Hash| Arm { name, hash, times: Vec::new() };
    vec![
        arm(
            "argon2 0.6 (RustCrypto, current)",
            Box::new(move |pwd, salt, out| rc.hash_password_into_with_memory(pwd, salt, out, &mut rc_memory).unwrap()),
        ),
        arm(
            "argon2-rust 1.1 (reused arena)",
            Box::new(move |pwd, salt, out| ar_hasher.hash_into(pwd, salt, out).unwrap()),
        ),
        arm("argon2-rust 1.1 (fresh arena)", Box::new(move |pwd, salt, out| ar.hash_into(pwd, salt, out).unwrap())),
        arm(
            "rust-argon2 3.0 (sru-systems)",
            Box::new(move |pwd, salt, out| out.copy_from_slice(&rust_argon2::hash_raw(pwd, salt, &sru).unwrap())),
        ),
    ]
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}

fn main() {
    let (m, t, p) = (env("HASHERS_M", 19_456), env("HASHERS_T", 2), env("HASHERS_P", 1));
    let (rounds, per_round) = (env("HASHERS_ROUNDS", 7).max(1), env("HASHERS_PER_ROUND", 8).max(1));
    let mut arms = arms(m, t, p);
    println!(
        "argon2id m={m} KiB t={t} p={p}; {rounds} rounds x {per_round} hashes per arm; argon2-rust backend: {:?}",
        argon2_rust::detected_backend()
    );

    // The same tag from every arm, or the figures mean nothing.
    let mut reference = [0u8; 32];
    for (i, arm) in arms.iter_mut().enumerate() {
        let mut tag = [0u8; 32];
        (arm.hash)(b"Kaisha#2026", b"sixteen byte salt", &mut tag);
        if i == 0 {
            reference = tag;
        }
        assert_eq!(tag, reference, "{} disagrees with the RustCrypto crate", arm.name);
    }

    for round in 0..rounds {
        for arm in &mut arms {
            let mut tag = [0u8; 32];
            let started = Instant::now();
            for i in 0..per_round {
                let password = format!("password {round} {i}");
                (arm.hash)(password.as_bytes(), b"sixteen byte salt", &mut tag);
            }
            arm.times.push(started.elapsed().as_secs_f64() * 1e3 / f64::from(per_round));
        }
    }

    let base = median(&arms[0].times);
    println!("{:<34} {:>9} {:>9} {:>9} {:>12}", "implementation", "median ms", "min ms", "max ms", "vs RustCrypto");
    for arm in &arms {
        let med = median(&arm.times);
        let min = arm.times.iter().copied().fold(f64::INFINITY, f64::min);
        let max = arm.times.iter().copied().fold(0.0, f64::max);
        println!("{:<34} {med:>9.2} {min:>9.2} {max:>9.2} {:>11.2}x", arm.name, base / med);
    }
}
