//! polyserve: the binary an e2e suite exercises (built instrumented by covgap run).

fn main() {
    let n: i64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(0);
    println!("{}", polycore::poly_unused(n));
}
