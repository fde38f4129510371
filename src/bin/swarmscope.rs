//! The `swarmscope` command line: runs scenarios headless, sweeps, checks histories.
fn main() {
    println!("swarmscope {}", env!("CARGO_PKG_VERSION"));
}
