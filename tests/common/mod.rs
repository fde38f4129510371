//! Shared by the command-line integration tests.
#![allow(dead_code)]

use std::process::Command;

pub fn swarmscope(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_swarmscope"))
        .args(args)
        .output()
        .expect("the swarmscope binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
