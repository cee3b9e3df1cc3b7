//! Rate limits on signing in and on applying for an account, per client and per account, and on
//! answers through an offering's shared evaluation link, per offering, with
//! `governor`'s keyed limiters (GCRA: a burst, then one more attempt every period).
//!
//! Each limit has tiers, so the wait grows the longer an attack goes on: a person who mistypes a
//! few times never waits; a client or an account that keeps failing waits seconds, then a minute.
//! There is deliberately no long lock: after five wrong passwords an attacker has tried, the real
//! owner waits at most ten seconds, not fifteen minutes, and an attacker who keeps trying is held
//! to a rate at which guessing a 12-character password is hopeless anyway.
//!
//! An account is keyed on the address typed, whether or not an account has it, so the limits say
//! nothing about which addresses exist. Every attempt counts, a successful one too: a limiter
//! cannot look without counting, and an owner signs in far too seldom for one attempt to matter.
//!
//! Memory stays bounded: a key is forgotten (`retain_recent`) once its state is no different from
//! a fresh one, at the latest one longest tier's burst × period after its last attempt; accounts
//! are kept as 64-bit hashes, whatever was typed; and an account is counted only once its client
//! passed its own limit, so the number of account keys is bounded by what the client limits allow.

use actix_web::HttpRequest;
use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::hash::{BuildHasher, Hash, RandomState};
use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One tier of a limit: this many attempts at once, then one more every period.
type Tier = (u32, Duration);

/// Sign-ins from one client: enough for an office behind one address signing in together
/// (thirty at once), not for trying many accounts (then three a minute; past 100, twelve an hour).
const SIGN_IN_PER_CLIENT: &[Tier] = &[
    (30, Duration::from_secs(20)),
    (100, Duration::from_secs(300)),
];
/// Sign-ins to one account: five at once, then one every ten seconds; past thirty, one a minute.
const SIGN_IN_PER_ACCOUNT: &[Tier] = &[(5, Duration::from_secs(10)), (30, Duration::from_secs(60))];
/// Applications from one client: ten at once (forms sent back with mistakes count), then one a
/// minute; past thirty, one every ten minutes.
const REGISTER_PER_CLIENT: &[Tier] = &[
    (10, Duration::from_secs(60)),
    (30, Duration::from_secs(600)),
];
/// Answers through one offering's shared evaluation link: a lecture hall of 300 answering at the
/// end of a session, then one every two seconds. Past it an answer is refused (429).
const EVALUATION_PER_OFFERING: &[Tier] = &[(300, Duration::from_secs(2))];
/// Past 40 answers at once (then one every 30 seconds, a slow trickle), answers through the
/// shared link are still taken but flagged as a burst for an administrator to look at: a room
/// answers together once; a script answers again and again.
const EVALUATION_BURST: &[Tier] = &[(40, Duration::from_secs(30))];
/// How often keys that no longer matter are forgotten.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// A limit in tiers over one kind of key.
struct Limit<K: Hash + Eq + Clone> {
    tiers: Vec<DefaultKeyedRateLimiter<K>>,
}

impl<K: Hash + Eq + Clone> Limit<K> {
    fn new(tiers: &[Tier]) -> Self {
        let tiers = tiers
            .iter()
            .map(|&(burst, period)| {
                let quota = Quota::with_period(period)
                    .expect("a limit's period is not zero")
                    .allow_burst(NonZeroU32::new(burst).expect("a limit's burst is not zero"));
                RateLimiter::keyed(quota)
            })
            .collect();
        Limit { tiers }
    }

    /// Counts an attempt for `key`, or says how long it must wait. The shortest tier is asked
    /// first, so attempts it refuses do not use up the longer tiers.
    fn check(&self, key: &K) -> Result<(), Duration> {
        for tier in &self.tiers {
            if let Err(refused) = tier.check_key(key) {
                return Err(refused.wait_time_from(tier.clock().now()));
            }
        }
        Ok(())
    }

    fn sweep(&self) {
        for tier in &self.tiers {
            tier.retain_recent();
            tier.shrink_to_fit();
        }
    }

    fn keys(&self) -> usize {
        self.tiers.iter().map(|tier| tier.len()).max().unwrap_or(0)
    }
}

/// Why an attempt was refused: it may be made again after `retry_after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    pub retry_after: Duration,
}

impl Throttled {
    /// The wait in whole seconds, at least one, as `Retry-After` gives it.
    pub fn seconds(self) -> u64 {
        (self.retry_after.as_secs() + u64::from(self.retry_after.subsec_nanos() > 0)).max(1)
    }

    /// "in 10 seconds", "in 2 minutes": the wait as a sentence ends it.
    pub fn wait_phrase(self) -> String {
        match self.seconds() {
            1 => "in a second".to_owned(),
            seconds @ 2..=90 => format!("in {seconds} seconds"),
            seconds => format!("in {} minutes", seconds.div_ceil(60)),
        }
    }
}

/// The limits of one server.
pub struct Throttle {
    sign_in_by_client: Limit<IpAddr>,
    sign_in_by_account: Limit<u64>,
    register_by_client: Limit<IpAddr>,
    evaluation_by_offering: Limit<u64>,
    evaluation_bursts: Limit<u64>,
    /// Hashes accounts with a key of this process, so no one can choose addresses that collide.
    hasher: RandomState,
    next_sweep: Mutex<Instant>,
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle {
            sign_in_by_client: Limit::new(SIGN_IN_PER_CLIENT),
            sign_in_by_account: Limit::new(SIGN_IN_PER_ACCOUNT),
            register_by_client: Limit::new(REGISTER_PER_CLIENT),
            evaluation_by_offering: Limit::new(EVALUATION_PER_OFFERING),
            evaluation_bursts: Limit::new(EVALUATION_BURST),
            hasher: RandomState::new(),
            next_sweep: Mutex::new(Instant::now() + SWEEP_EVERY),
        }
    }
}

impl std::fmt::Debug for Throttle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Throttle")
            .field("sign_in_clients", &self.sign_in_by_client.keys())
            .field("sign_in_accounts", &self.sign_in_by_account.keys())
            .field("register_clients", &self.register_by_client.keys())
            .field("evaluated_offerings", &self.evaluation_by_offering.keys())
            .finish()
    }
}

impl Throttle {
    /// Counts a sign-in attempt from `client` for the account `email`.
    pub fn sign_in(&self, client: IpAddr, email: &str) -> Result<(), Throttled> {
        self.sweep_now_and_then();
        self.sign_in_by_client.check(&client).map_err(throttled)?;
        let account = self.hasher.hash_one(email.trim().to_lowercase());
        self.sign_in_by_account.check(&account).map_err(throttled)
    }

    /// Counts an application for an account from `client`.
    pub fn register(&self, client: IpAddr) -> Result<(), Throttled> {
        self.sweep_now_and_then();
        self.register_by_client.check(&client).map_err(throttled)
    }

    /// Counts an answer through an offering's shared evaluation link: `Ok(true)` when it comes in
    /// a burst (taken, but flagged), an error when it must wait.
    pub fn shared_evaluation(&self, offering: &str) -> Result<bool, Throttled> {
        self.sweep_now_and_then();
        let key = self.hasher.hash_one(offering);
        // The burst tier counts first: an answer the hard limit then refuses was a burst too.
        let burst = self.evaluation_bursts.check(&key).is_err();
        self.evaluation_by_offering.check(&key).map_err(throttled)?;
        Ok(burst)
    }

    /// Forgets keys that no longer matter, at most once a minute, by whichever request comes.
    fn sweep_now_and_then(&self) {
        let Ok(mut next) = self.next_sweep.try_lock() else {
            return; // another request is sweeping
        };
        if Instant::now() < *next {
            return;
        }
        self.sign_in_by_client.sweep();
        self.sign_in_by_account.sweep();
        self.register_by_client.sweep();
        self.evaluation_by_offering.sweep();
        self.evaluation_bursts.sweep();
        *next = Instant::now() + SWEEP_EVERY;
    }
}

fn throttled(retry_after: Duration) -> Throttled {
    Throttled { retry_after }
}

/// The client a request comes from, as limits count it. The site trusts no proxy, so this is the
/// peer of the connection, never a header the client could write. An IPv6 client is its /64, the
/// block one household or office is given; an IPv4 address in IPv6 form is that IPv4 address.
pub fn client_of(request: &HttpRequest) -> IpAddr {
    match request.peer_addr().map(|peer| peer.ip()) {
        Some(IpAddr::V6(address)) => match address.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let prefix = u128::from(address) & !((1u128 << 64) - 1);
                IpAddr::V6(Ipv6Addr::from(prefix))
            }
        },
        Some(v4) => v4,
        None => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    const HERE: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

    #[test]
    fn an_account_gets_five_attempts_then_a_short_wait_not_a_long_lock() {
        let throttle = Throttle::default();
        for _ in 0..5 {
            assert!(throttle.sign_in(HERE, "owner@example.org").is_ok());
        }
        let refused = throttle.sign_in(HERE, " Owner@Example.org").unwrap_err();
        assert!(
            refused.retry_after <= Duration::from_secs(10),
            "{refused:?}"
        );
        assert!(throttle.sign_in(HERE, "someone-else@example.org").is_ok());
    }

    #[test]
    fn a_client_is_limited_across_accounts() {
        let throttle = Throttle::default();
        let outcomes: Vec<bool> = (0..40)
            .map(|n| {
                throttle
                    .sign_in(HERE, &format!("user{n}@example.org"))
                    .is_ok()
            })
            .collect();
        assert!(outcomes[..30].iter().all(|&ok| ok));
        assert!(outcomes[30..].iter().all(|&ok| !ok));
    }

    #[test]
    fn keys_are_forgotten_once_their_state_is_fresh_again() {
        let limit = Limit::<u64>::new(&[(2, Duration::from_millis(5))]);
        for key in 0..1000 {
            assert!(limit.check(&key).is_ok());
        }
        assert_eq!(limit.keys(), 1000);
        std::thread::sleep(Duration::from_millis(30));
        limit.sweep();
        assert_eq!(limit.keys(), 0);
    }

    #[test]
    fn a_room_answers_unflagged_a_burst_is_flagged_per_offering() {
        let throttle = Throttle::default();
        let flagged = (0..50)
            .filter(|_| throttle.shared_evaluation("a-course").unwrap())
            .count();
        assert_eq!(flagged, 10);
        assert_eq!(throttle.shared_evaluation("another-course"), Ok(false));
        for _ in 50..300 {
            throttle.shared_evaluation("a-course").unwrap();
        }
        assert!(throttle.shared_evaluation("a-course").is_err());
    }

    #[test]
    fn waits_read_as_people_say_them() {
        let wait = |seconds: f64| Throttled {
            retry_after: Duration::from_secs_f64(seconds),
        };
        assert_eq!(wait(0.0).seconds(), 1);
        assert_eq!(wait(0.2).seconds(), 1);
        assert_eq!(wait(9.5).wait_phrase(), "in 10 seconds");
        assert_eq!(wait(599.0).wait_phrase(), "in 10 minutes");
    }
}
