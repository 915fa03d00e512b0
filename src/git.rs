//! The only module that runs git.

use std::path::Path;
use std::process::Command;

/// `git config user.email` as seen from `dir`, if git is installed and it is set.
pub fn user_email(dir: &Path) -> Option<String> {
    let out = Command::new("git")
        .args(["config", "user.email"])
        .current_dir(dir)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let email = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!email.is_empty()).then_some(email)
}
