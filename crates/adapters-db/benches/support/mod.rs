//! What the benches share: reading their arguments.

/// `(smoke, positional arguments)`. `cargo bench` passes `--bench`; `cargo test --all-targets`
/// runs a bench binary bare, and then it makes a small smoke run that checks the bench still
/// works without taking minutes.
pub fn args() -> (bool, Vec<String>) {
    let smoke = !std::env::args().any(|a| a == "--bench");
    let args = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    (smoke, args)
}
