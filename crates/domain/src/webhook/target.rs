//! The address rule: public unicast addresses only, unless the operator allows a range.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// An address block, `10.0.0.0/8` or `fd00::/8`; a bare address is a block of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

/// Why a block could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an address or an address block such as 10.0.0.0/8 or fd00::/8")]
pub struct CidrError(String);

impl Cidr {
    /// Reads `address` or `address/prefix`.
    ///
    /// # Errors
    /// [`CidrError`] for anything else, or a prefix longer than the address.
    pub fn parse(raw: &str) -> Result<Self, CidrError> {
        let bad = || CidrError(raw.to_owned());
        let (address, prefix) = match raw.trim().split_once('/') {
            Some((a, p)) => (a, Some(p.parse::<u8>().map_err(|_| bad())?)),
            None => (raw.trim(), None),
        };
        let network: IpAddr = address.parse().map_err(|_| bad())?;
        let network = network.to_canonical();
        let bits = if network.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(bits);
        if prefix > bits {
            return Err(bad());
        }
        Ok(Self { network, prefix })
    }

    /// Whether `ip` (IPv4-mapped IPv6 read as IPv4) lies in the block.
    #[must_use]
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => within(
                u128::from(net.to_bits()),
                u128::from(ip.to_bits()),
                32,
                self.prefix,
            ),
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                within(net.to_bits(), ip.to_bits(), 128, self.prefix)
            }
            _ => false,
        }
    }
}

fn within(net: u128, ip: u128, bits: u8, prefix: u8) -> bool {
    let shift = u32::from(bits - prefix);
    prefix == 0 || (net >> shift) == (ip >> shift)
}

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

/// A delivery may not go to this address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{address} is {kind}; webhooks go to public addresses unless webhooks.allow_private_targets lists it"
)]
pub struct RefusedAddress {
    pub address: IpAddr,
    /// What the address is: `a loopback address`, `a private address`, ….
    pub kind: &'static str,
}

/// Which addresses webhook deliveries may reach: public unicast ones, plus the blocks the
/// operator allows (for receivers on an internal network).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetPolicy {
    allowed: Vec<Cidr>,
}

impl TargetPolicy {
    /// Public addresses and the `allowed` blocks.
    #[must_use]
    pub fn allowing(allowed: Vec<Cidr>) -> Self {
        Self { allowed }
    }

    /// The blocks allowed beyond public addresses.
    #[must_use]
    pub fn allowed(&self) -> &[Cidr] {
        &self.allowed
    }

    /// Whether a delivery may connect to `address`.
    ///
    /// # Errors
    /// [`RefusedAddress`] for a non-public address (loopback, private, link-local, shared,
    /// unspecified, broadcast, multicast, documentation, reserved, unique-local, and IPv6 forms
    /// embedding one of those) outside the allowed blocks.
    pub fn check(&self, address: IpAddr) -> Result<(), RefusedAddress> {
        if self.allowed.iter().any(|c| c.contains(address)) {
            return Ok(());
        }
        match non_public(address) {
            Some(kind) => Err(RefusedAddress { address, kind }),
            None => Ok(()),
        }
    }
}

/// What kind of non-public address `ip` is, or `None` for a public one.
fn non_public(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => non_public_v4(v4),
        IpAddr::V6(v6) => non_public_v6(v6),
    }
}

/// IPv4 special-purpose blocks (IANA registry) that are not globally reachable.
const V4_BLOCKS: [(u32, u8, &str); 15] = [
    (0x0000_0000, 8, "an unspecified (this-network) address"),
    (0x0a00_0000, 8, "a private address"),
    (0x6440_0000, 10, "a shared (carrier-grade NAT) address"),
    (0x7f00_0000, 8, "a loopback address"),
    (0xa9fe_0000, 16, "a link-local address"),
    (0xac10_0000, 12, "a private address"),
    (0xc000_0000, 24, "an IETF protocol address"),
    (0xc000_0200, 24, "a documentation address"),
    (0xc058_6300, 24, "a 6to4 relay anycast address"),
    (0xc0a8_0000, 16, "a private address"),
    (0xc612_0000, 15, "a benchmarking address"),
    (0xc633_6400, 24, "a documentation address"),
    (0xcb00_7100, 24, "a documentation address"),
    (0xe000_0000, 4, "a multicast address"),
    (0xf000_0000, 4, "a reserved or broadcast address"),
];

fn non_public_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let bits = ip.to_bits();
    V4_BLOCKS
        .iter()
        .find(|(net, prefix, _)| bits >> (32 - prefix) == net >> (32 - prefix))
        .map(|(_, _, kind)| *kind)
}

fn embedded_v4(ip: Ipv6Addr, at: u32) -> Ipv4Addr {
    // Truncation is the point: the 32 bits starting `at` bits from the right.
    #[allow(clippy::cast_possible_truncation)]
    Ipv4Addr::from_bits((ip.to_bits() >> at) as u32)
}

fn non_public_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let bits = ip.to_bits();
    let top = |prefix: u32| bits >> (128 - prefix);
    if ip.is_unspecified() {
        return Some("an unspecified address");
    }
    if ip.is_loopback() {
        return Some("a loopback address");
    }
    // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible) are IPv4 in IPv6 clothes.
    if top(96) == 0xffff || top(96) == 0 {
        return non_public_v4(embedded_v4(ip, 0));
    }
    // NAT64 (64:ff9b::/96) reaches the IPv4 address in its last 32 bits.
    if top(96) == 0x0064_ff9b_0000_0000_0000_0000 {
        return non_public_v4(embedded_v4(ip, 0));
    }
    // 6to4 (2002::/16) reaches the IPv4 address in bits 16..48.
    if top(16) == 0x2002 {
        return non_public_v4(embedded_v4(ip, 80));
    }
    let blocks: [(u128, u32, &str); 8] = [
        (0x0064_ff9b_0001, 48, "a local-use NAT64 address"),
        (0x0100_0000_0000_0000, 64, "a discard-only address"),
        (0x2001_0000, 32, "a Teredo address"),
        (0x2001_0db8, 32, "a documentation address"),
        (0x7e, 7, "a unique-local address"),
        (0x3fa, 10, "a link-local address"),
        (0x3fb, 10, "a site-local address"),
        (0xff, 8, "a multicast address"),
    ];
    blocks
        .iter()
        .find(|(net, prefix, _)| top(*prefix) == *net)
        .map(|(_, _, kind)| *kind)
}
