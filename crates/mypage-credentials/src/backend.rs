//! The two argon2 implementations behind [`Argon2Hasher`](crate::Argon2Hasher) (issue 15), one setting apart.
//!
//! Both compute the same function (RFC 9106); the differential test (`backend/differential.rs`) checks that
//! their tags are identical. PHC strings are read and written by the hasher with the RustCrypto crate's PHC types,
//! whichever implementation computes the tag, so a stored hash does not depend on the implementation that made it.

use std::fmt;
use std::str::FromStr;

use argon2::{Algorithm, Block, Params, Version};

/// Which argon2 implementation computes the tags (`MYPAGE_ARGON2_IMPLEMENTATION`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Argon2Implementation {
    /// The RustCrypto `argon2` crate: pure Rust, AVX2 chosen at run time in the compression function only.
    RustCrypto,
    /// The `argon2-rust` crate: a pure-Rust port of the reference implementation with AVX-512, AVX2 and SSE2
    /// chosen at run time; about twice as fast as `argon2` on this project's machines (`docs/performance.md`).
    #[default]
    Argon2Rust,
}

impl Argon2Implementation {
    /// Every implementation, in the order the settings document them.
    pub const ALL: [Self; 2] = [Self::Argon2Rust, Self::RustCrypto];

    /// The name the setting takes.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::RustCrypto => "rustcrypto",
            Self::Argon2Rust => "argon2-rust",
        }
    }
}

impl fmt::Display for Argon2Implementation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The name is none of [`Argon2Implementation::ALL`]'s.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown argon2 implementation {0:?}: expected argon2-rust or rustcrypto")]
pub struct UnknownArgon2Implementation(String);

impl FromStr for Argon2Implementation {
    type Err = UnknownArgon2Implementation;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|i| i.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownArgon2Implementation(s.to_owned()))
    }
}

/// The working memory of one hashing slot, kept between hashes: allocated at the first hash, grown when a hash
/// needs more (a stored hash with larger parameters), never shrunk.
pub(crate) struct Workspace {
    implementation: Argon2Implementation,
    rustcrypto: Vec<Block>,
    /// argon2-rust's hasher keeps its own arena (mmap'ed, wiped after every hash) and is re-pointed at each
    /// hash's parameters without giving the arena back.
    argon2_rust: Option<argon2_rust::Hasher>,
}

impl Workspace {
    /// An empty workspace for `implementation`; nothing is allocated before the first hash.
    pub(crate) const fn new(implementation: Argon2Implementation) -> Self {
        Self { implementation, rustcrypto: Vec::new(), argon2_rust: None }
    }

    /// The 1 KiB blocks of working memory held now.
    #[cfg(test)]
    pub(crate) fn reserved_blocks(&self) -> usize {
        self.rustcrypto.len() + self.argon2_rust.as_ref().map_or(0, argon2_rust::Hasher::reserved_blocks)
    }

    /// Argon2 of `password` and `salt` under `params` (and `secret`, and the associated data of `params`) into
    /// `out`, whose length is the tag's.
    #[expect(clippy::too_many_arguments, reason = "argon2's own inputs, as the RFC names them")]
    pub(crate) fn compute(
        &mut self,
        algorithm: Algorithm,
        version: Version,
        params: &Params,
        secret: &[u8],
        password: &[u8],
        salt: &[u8],
        out: &mut [u8],
    ) -> Result<(), String> {
        match self.implementation {
            Argon2Implementation::RustCrypto => {
                let blocks = params.block_count();
                if self.rustcrypto.len() < blocks {
                    self.rustcrypto.resize(blocks, Block::new());
                }
                let argon2 = if secret.is_empty() {
                    argon2::Argon2::new(algorithm, version, params.clone())
                } else {
                    argon2::Argon2::new_with_secret(secret, algorithm, version, params.clone())
                        .map_err(|e| e.to_string())?
                };
                argon2
                    .hash_password_into_with_memory(password, salt, out, &mut self.rustcrypto[..])
                    .map_err(|e| e.to_string())
            }
            Argon2Implementation::Argon2Rust => {
                let tag_len = u64::try_from(out.len()).map_err(|e| e.to_string())?;
                let their_params = argon2_rust::Params::builder()
                    .memory(argon2_rust::params::Memory::kib(u64::from(params.m_cost())))
                    .passes(params.t_cost())
                    .lanes(params.p_cost())
                    .tag_len(argon2_rust::params::TagLen::bytes(tag_len))
                    .build()
                    .map_err(|e| e.to_string())?;
                let their_algorithm = match algorithm {
                    Algorithm::Argon2d => argon2_rust::Algorithm::Argon2d,
                    Algorithm::Argon2i => argon2_rust::Algorithm::Argon2i,
                    Algorithm::Argon2id => argon2_rust::Algorithm::Argon2id,
                };
                let their_version = match version {
                    Version::V0x10 => argon2_rust::Version::V0x10,
                    Version::V0x13 => argon2_rust::Version::V0x13,
                };
                let argon2 = argon2_rust::Argon2::new(their_algorithm, their_version, their_params);
                let hasher = match &mut self.argon2_rust {
                    Some(hasher) => {
                        hasher.set_argon2(argon2);
                        hasher
                    }
                    slot @ None => slot.insert(argon2.hasher()),
                };
                hasher.hash_into_with_ad(password, salt, secret, params.data(), out).map_err(|e| e.to_string())
            }
        }
    }
}

#[cfg(test)]
mod differential;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_setting_names_each_implementation_and_refuses_others() {
        for implementation in Argon2Implementation::ALL {
            assert_eq!(implementation.as_str().parse::<Argon2Implementation>(), Ok(implementation));
        }
        assert_eq!(" RustCrypto ".parse::<Argon2Implementation>(), Ok(Argon2Implementation::RustCrypto));
        assert!("libsodium".parse::<Argon2Implementation>().is_err());
        assert_eq!(Argon2Implementation::default(), Argon2Implementation::Argon2Rust);
    }

    #[test]
    fn a_workspace_keeps_its_memory_and_grows_for_larger_parameters() {
        for implementation in Argon2Implementation::ALL {
            let mut workspace = Workspace::new(implementation);
            let mut out = [0u8; 32];
            let small = Params::new(64, 1, 1, None).unwrap();
            workspace.compute(Algorithm::Argon2id, Version::V0x13, &small, &[], b"pw", b"somesalt", &mut out).unwrap();
            assert!(workspace.reserved_blocks() >= 64, "{implementation}: {}", workspace.reserved_blocks());
            let large = Params::new(256, 1, 1, None).unwrap();
            workspace.compute(Algorithm::Argon2id, Version::V0x13, &large, &[], b"pw", b"somesalt", &mut out).unwrap();
            let held = workspace.reserved_blocks();
            assert!(held >= 256, "{implementation}: {held}");
            workspace.compute(Algorithm::Argon2id, Version::V0x13, &small, &[], b"pw", b"somesalt", &mut out).unwrap();
            assert_eq!(workspace.reserved_blocks(), held, "{implementation}: not shrunk, not reallocated");
        }
    }
}
