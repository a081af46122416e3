//! Differential test of the two argon2 implementations (issue 15): identical tags over thousands of seeded random
//! inputs and parameter sets, the RFC 9106 test vectors, and PHC strings readable both ways through the hasher.
//!
//! Both crates are built with `opt-level = 3` in the dev profile (root `Cargo.toml`), so this runs in a few
//! seconds in a debug build: most cases use small memory, a few the server's default parameters.

use argon2::{Algorithm, Params, Version};
use mypage_domain::ports::{PasswordCheck, PasswordHasher as _};
use secrecy::SecretString;

use super::{Argon2Implementation, Workspace};
use crate::{Argon2Config, Argon2Hasher};

/// SplitMix64: a seeded generator, so that a failure names a case that can be replayed.
struct Seeded(u64);

impl Seeded {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `range` (inclusive).
    fn within(&mut self, range: std::ops::RangeInclusive<u32>) -> u32 {
        let span = u64::from(range.end() - range.start()) + 1;
        range.start() + u32::try_from(self.next() % span).unwrap()
    }

    fn bytes(&mut self, len: std::ops::RangeInclusive<u32>) -> Vec<u8> {
        let len = self.within(len);
        (0..len).map(|_| self.next().to_le_bytes()[0]).collect()
    }

    fn one_in(&mut self, n: u64) -> bool {
        self.next().is_multiple_of(n)
    }
}

/// The tag of each implementation for the same inputs, each computed in its own long-lived workspace (the
/// server's path: memory reused across parameter sets) and once more in a fresh one.
#[expect(clippy::too_many_arguments, reason = "argon2's own inputs")]
fn both(
    workspaces: &mut [Workspace; 2],
    algorithm: Algorithm,
    version: Version,
    params: &Params,
    secret: &[u8],
    password: &[u8],
    salt: &[u8],
    len: usize,
) -> [Vec<u8>; 2] {
    workspaces.each_mut().map(|workspace| {
        let mut reused = vec![0u8; len];
        workspace.compute(algorithm, version, params, secret, password, salt, &mut reused).unwrap();
        let mut fresh = vec![0u8; len];
        Workspace::new(workspace.implementation)
            .compute(algorithm, version, params, secret, password, salt, &mut fresh)
            .unwrap();
        assert_eq!(reused, fresh, "{}: a reused workspace changes nothing", workspace.implementation);
        reused
    })
}

fn workspaces() -> [Workspace; 2] {
    [Workspace::new(Argon2Implementation::RustCrypto), Workspace::new(Argon2Implementation::Argon2Rust)]
}

#[test]
fn identical_tags_over_thousands_of_random_inputs_and_parameter_sets() {
    let mut rng = Seeded(0x6d79_7061_6765_0015);
    let mut workspaces = workspaces();
    let algorithms = [Algorithm::Argon2id, Algorithm::Argon2i, Algorithm::Argon2d];
    for case in 0..3000 {
        // Mostly the server's argon2id v19; the other variants and v16 too, since stored hashes may name them.
        let algorithm =
            if rng.one_in(4) { algorithms[usize::try_from(rng.within(0..=2)).unwrap()] } else { algorithms[0] };
        let version = if rng.one_in(8) { Version::V0x10 } else { Version::V0x13 };
        let p = rng.within(1..=4);
        let m = rng.within(8 * p..=8 * p + 96);
        let t = rng.within(1..=3);
        let len = usize::try_from(rng.within(4..=64)).unwrap();
        let mut builder = argon2::ParamsBuilder::new();
        builder.m_cost(m).t_cost(t).p_cost(p).output_len(len);
        if rng.one_in(10) {
            builder.data(argon2::AssociatedData::new(&rng.bytes(1..=32)).unwrap());
        }
        let params = builder.build().unwrap();
        let secret = if rng.one_in(10) { rng.bytes(1..=32) } else { Vec::new() };
        let password = rng.bytes(0..=64);
        let salt = rng.bytes(8..=32);
        let [ours, theirs] = both(&mut workspaces, algorithm, version, &params, &secret, &password, &salt, len);
        assert_eq!(
            ours,
            theirs,
            "case {case}: {algorithm:?} {version:?} m={m} t={t} p={p} len={len} password={password:02x?} \
             salt={salt:02x?} secret={secret:02x?} ad={:02x?}",
            params.data()
        );
    }
}

#[test]
fn identical_tags_at_the_servers_default_parameters() {
    let mut rng = Seeded(19_456);
    let mut workspaces = workspaces();
    let params = Params::new(19_456, 2, 1, Some(32)).unwrap();
    for _ in 0..3 {
        let (password, salt) = (rng.bytes(1..=40), rng.bytes(16..=16));
        let [ours, theirs] =
            both(&mut workspaces, Algorithm::Argon2id, Version::V0x13, &params, &[], &password, &salt, 32);
        assert_eq!(ours, theirs, "password={password:02x?} salt={salt:02x?}");
    }
}

fn hex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text.bytes().filter(u8::is_ascii_hexdigit).collect();
    digits.chunks(2).map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap()).collect()
}

#[test]
fn both_give_the_test_vectors_of_rfc_9106() {
    // RFC 9106 §5: password 32 × 0x01, salt 16 × 0x02, secret 8 × 0x03, associated data 12 × 0x04,
    // m=32, t=3, p=4, a 32-byte tag.
    let vectors = [
        (Algorithm::Argon2d, "512b391b6f1162975371d30919734294f868e3be3984f3c1a13a4db9fabe4acb"),
        (Algorithm::Argon2i, "c814d9d1dc7f37aa13f0d77f2494bda1c8de6b016dd388d29952a4c4672b6ce8"),
        (Algorithm::Argon2id, "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659"),
    ];
    let mut builder = argon2::ParamsBuilder::new();
    builder.m_cost(32).t_cost(3).p_cost(4).output_len(32).data(argon2::AssociatedData::new(&[4; 12]).unwrap());
    let params = builder.build().unwrap();
    for (algorithm, expected) in vectors {
        let tags = both(&mut workspaces(), algorithm, Version::V0x13, &params, &[3; 8], &[1; 32], &[2; 16], 32);
        for (implementation, tag) in
            [Argon2Implementation::RustCrypto, Argon2Implementation::Argon2Rust].iter().zip(tags)
        {
            assert_eq!(tag, hex(expected), "{implementation} {algorithm:?}");
        }
    }
}

fn hasher(implementation: Argon2Implementation, memory_kib: u32) -> Argon2Hasher {
    Argon2Hasher::new(Argon2Config { memory_kib, iterations: 1, implementation, ..Argon2Config::default() }).unwrap()
}

#[tokio::test]
async fn hashes_made_by_either_verify_with_either_and_parameters_still_upgrade() {
    let password = SecretString::from("Kaisha#2026");
    let wrong = SecretString::from("Kaisha#2027");
    for maker in Argon2Implementation::ALL {
        let stored = hasher(maker, 1024).hash(&password).await.unwrap();
        for checker in Argon2Implementation::ALL {
            let same = hasher(checker, 1024);
            assert_eq!(same.verify(&password, &stored).await.unwrap(), PasswordCheck::Match { needs_rehash: false });
            assert_eq!(same.verify(&wrong, &stored).await.unwrap(), PasswordCheck::Mismatch, "{maker} → {checker}");
            let newer = hasher(checker, 2048);
            assert_eq!(
                newer.verify(&password, &stored).await.unwrap(),
                PasswordCheck::Match { needs_rehash: true },
                "{maker} → {checker}: other parameters ask for a rehash"
            );
        }
    }
}
