//! Baselines measured in the same run as the product: what the hardware does
//! without the product around it.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::SaltString;
use argon2::{Algorithm, Argon2, Params, PasswordHasher, Version};
use std::time::{Duration, Instant};

/// Raw argon2id hashes per second at the production setting (19 MiB, t=2,
/// p=1), one thread per core, for about `duration`.
pub fn argon2_hashes_per_sec(threads: usize, duration: Duration) -> f64 {
    let started = Instant::now();
    let total: usize = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(move || {
                    let params = Params::new(19 * 1024, 2, 1, None).expect("valid params");
                    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
                    let mut n = 0;
                    while n == 0 || started.elapsed() < duration {
                        let salt = SaltString::generate(&mut OsRng);
                        let _ = argon.hash_password(b"benchmark password", &salt);
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
    });
    total as f64 / started.elapsed().as_secs_f64()
}
