//! Who did it: each history entry a branch adds was committed by the member it names
//! (`check --verify-authors`), with a good signature by their key (`--verify-signatures`).
//!
//! An entry's `by` is whatever the writer typed; the commit that first added the entry is
//! what git knows about them. [`verify`] gathers the commits since the merge-base and the
//! versions of the record files they changed; [`judge`] is the rule, a pure function of that.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{Finding, Severity, line_of_history_entry};
use crate::config::{CONFIG_FILE, Config};
use crate::error::Result;
use crate::git::{self, Change, Commit};
use crate::model::RecordId;
use crate::store::{Store, yaml};

/// One record file as one commit changed it.
pub struct Version {
    /// Index of the commit in [`History::commits`].
    pub commit: usize,
    /// Relative to the store root.
    pub path: PathBuf,
    /// The file at the commit (`None`: deleted).
    pub text: Option<String>,
    /// The file at each of the commit's parents, in order (`None`: absent there).
    pub parents: Vec<Option<String>>,
}

/// A record file that differs between the merge-base and the working tree.
pub struct Final {
    /// Relative to the store root.
    pub path: PathBuf,
    /// At the merge-base (`None`: a new file).
    pub base: Option<String>,
    /// In the working tree.
    pub now: String,
}

/// What the rule needs to know, gathered from git by [`verify`].
pub struct History {
    /// The commits since the merge-base that change the store, parents before children.
    pub commits: Vec<Commit>,
    /// The record files each commit changed, in the order of `commits`.
    pub versions: Vec<Version>,
    pub files: Vec<Final>,
}

/// Reads from git what [`judge`] needs and judges it. `base` is the revision given to
/// `--base`; the branch is compared from its merge-base with HEAD. Members are looked up in
/// presales.toml as it is at the merge-base, so a change cannot add a member, an e-mail or a
/// key and use it at once (the working tree's presales.toml serves when the base has none).
pub fn verify(store: &Store, base: &str, signatures: bool) -> Result<Vec<Finding>> {
    let dir = store.root();
    let merge_base = git::merge_base(dir, base)?;
    let commits = git::commits_since(dir, &merge_base, signatures)?;
    let changed = git::files_changed(dir, &commits)?;

    // Every blob needed, read through one cat-file process: each changed record at its
    // commit and at each parent, each finally changed record at the merge-base, and the
    // merge-base's presales.toml.
    let mut wanted: Vec<(String, PathBuf)> = Vec::new();
    let mut versions = Vec::new();
    for (i, (commit, files)) in commits.iter().zip(changed).enumerate() {
        for path in files.into_iter().filter(|p| is_record(p)) {
            wanted.push((commit.hash.clone(), path.clone()));
            for p in &commit.parents {
                wanted.push((p.clone(), path.clone()));
            }
            versions.push(Version {
                commit: i,
                path,
                text: None,
                parents: Vec::new(),
            });
        }
    }
    let finals: Vec<PathBuf> = git::changed_files(dir, &merge_base)?
        .into_iter()
        .filter(|(change, p)| *change != Change::Deleted && is_record(p))
        .map(|(_, p)| p)
        .collect();
    for path in &finals {
        wanted.push((merge_base.clone(), path.clone()));
    }
    wanted.push((merge_base.clone(), PathBuf::from(CONFIG_FILE)));
    let mut texts = git::read_revs(dir, &wanted)?.into_iter();

    for v in &mut versions {
        v.text = texts.next().flatten();
        v.parents = commits[v.commit]
            .parents
            .iter()
            .map(|_| texts.next().flatten())
            .collect();
    }
    let mut files = Vec::new();
    for path in finals {
        let base = texts.next().flatten();
        // A file that cannot be read is reported by the store rules.
        if let Ok(now) = store.read_inside(&path) {
            files.push(Final { path, base, now });
        }
    }
    let mut findings = Vec::new();
    let base_config = texts.next().flatten().map(|t| {
        Config::parse(&t)
            .ok()
            .or_else(|| Config::parse_skipping_unknown(&t).map(|(c, _)| c))
    });
    let config = match base_config {
        Some(Some(c)) => c,
        Some(None) => {
            findings.push(Finding {
                path: CONFIG_FILE.into(),
                line: 1,
                column: 1,
                severity: Severity::Warning,
                message: format!(
                    "{CONFIG_FILE} at the merge-base ({}) does not parse; members are looked up in \
                     the working tree's",
                    short(&merge_base)
                ),
            });
            store.config.clone()
        }
        None => store.config.clone(),
    };
    let history = History {
        commits,
        versions,
        files,
    };
    findings.extend(judge(&history, &config, signatures));
    Ok(findings)
}

/// A record file of the store: `<kind folder>/…/<ID>.yaml`.
fn is_record(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "yaml")
        && path
            .file_stem()
            .and_then(|s| RecordId::parse(&s.to_string_lossy()).ok())
            .is_some_and(|id| path.starts_with(id.kind().dir()))
}

/// The rule: each entry of the final version of a file that is not at the merge-base was
/// first added by an ordinary commit whose author is the member the entry names (and, with
/// `signatures`, that commit carries a good signature by the member's `signing_key`).
pub fn judge(history: &History, config: &Config, signatures: bool) -> Vec<Finding> {
    // Where each entry first appeared: a commit index per (file, entry).
    let mut first: HashMap<(&Path, String), usize> = HashMap::new();
    for v in &history.versions {
        let before: HashSet<String> = v
            .parents
            .iter()
            .flat_map(|p| entries(p.as_deref()))
            .map(|e| key(&e))
            .collect();
        // For an ordinary commit that is what its parent lacked; for a merge, what no parent
        // had: the merge itself wrote it.
        for e in entries(v.text.as_deref()) {
            let k = key(&e);
            if !before.contains(&k) {
                first.entry((v.path.as_path(), k)).or_insert(v.commit);
            }
        }
    }
    let mut findings = Vec::new();
    for f in &history.files {
        let at_base: HashSet<String> = entries(f.base.as_deref()).iter().map(key).collect();
        for (i, e) in entries(Some(&f.now)).iter().enumerate() {
            let k = key(e);
            if at_base.contains(&k) {
                continue;
            }
            let by = e.get("by").and_then(Value::as_str).unwrap_or("?");
            let action = e.get("action").and_then(Value::as_str).unwrap_or("?");
            let entry = format!("history entry {} ({action} by {by})", i + 1);
            let line = line_of_history_entry(&f.now, i);
            let mut report = |message: String| {
                findings.push(Finding::error(&f.path, line, message));
            };
            let Some(commit) = first
                .get(&(f.path.as_path(), k))
                .and_then(|&c| history.commits.get(c))
            else {
                report(format!(
                    "{entry} is not committed; --verify-authors judges the commit that adds \
                     each entry, so commit it as {by}"
                ));
                continue;
            };
            let hash = short(&commit.hash);
            if commit.parents.len() > 1 {
                report(format!(
                    "{entry} first appears in merge commit {hash}; entries must come from \
                     ordinary commits (commit it on its own, then merge)"
                ));
                continue;
            }
            let Some(member) = config.member(by) else {
                report(format!(
                    "{entry} names `{by}`, who is not a team member in {CONFIG_FILE} at the \
                     base revision"
                ));
                continue;
            };
            match member.email.as_deref().map(str::trim) {
                None | Some("") => report(format!(
                    "{entry}: {by} has no `email` in {CONFIG_FILE}; --verify-authors needs \
                     one to match the commit author"
                )),
                Some(email) if !email.eq_ignore_ascii_case(commit.author_email.trim()) => {
                    report(format!(
                        "{entry} was committed by {} in {hash}; only {by} ({email}) may write \
                         entries in their name",
                        commit.author_email
                    ))
                }
                Some(_) => {}
            }
            if !signatures {
                continue;
            }
            let Some(wanted) = member
                .signing_key
                .as_deref()
                .filter(|k| !k.trim().is_empty())
            else {
                report(format!(
                    "{entry}: {by} has no `signing_key` in {CONFIG_FILE}; \
                     --verify-signatures needs the key their commits are signed with"
                ));
                continue;
            };
            if commit.signature != 'G' {
                report(format!(
                    "{entry} was committed in {hash} without a good signature ({}); it must \
                     be signed with {by}'s key {wanted}",
                    describe(commit.signature)
                ));
            } else if !key_matches(wanted, &commit.key, &commit.primary_key) {
                report(format!(
                    "{entry} was signed in {hash} with key {}, not with {by}'s signing_key \
                     {wanted}",
                    commit.key
                ));
            }
        }
    }
    findings
}

/// The history entries of a record file's text; none when absent or unparsable (the store
/// rules report a file that does not parse).
fn entries(text: Option<&str>) -> Vec<Value> {
    text.and_then(|t| yaml::parse::<Value>(Path::new(""), t).ok())
        .and_then(|mut v| match v.get_mut("history").map(Value::take) {
            Some(Value::Array(a)) => Some(a),
            _ => None,
        })
        .unwrap_or_default()
}

/// An entry as a comparable string: its JSON with object keys sorted, so two copies of the
/// same entry match whatever their key order.
fn key(v: &Value) -> String {
    fn sorted(v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                Value::Object(
                    keys.into_iter()
                        .map(|k| (k.clone(), sorted(&m[k])))
                        .collect(),
                )
            }
            Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    sorted(v).to_string()
}

fn short(hash: &str) -> &str {
    hash.get(..7).unwrap_or(hash)
}

/// What git's `%G?` letter means, for a finding.
fn describe(status: char) -> String {
    let what = match status {
        'N' => {
            "unsigned, or signed in a way git could not check here: SSH signatures need \
             gpg.ssh.allowedSignersFile, GPG ones the signer's public key"
        }
        'U' => "good signature, but by a key git does not trust",
        'B' => "bad signature",
        'X' => "good signature that has expired",
        'Y' => "good signature by an expired key",
        'R' => "good signature by a revoked key",
        'E' => "the signature cannot be checked: the key is missing",
        _ => "unknown signature status",
    };
    format!("git reports `{status}`: {what}")
}

/// Whether the key git reports (`%GF`, or for GPG the primary key `%GP`) is the configured
/// one. SSH fingerprints (`SHA256:…`, base64) must match exactly (the `SHA256:` prefix in any
/// case); GPG ones are hex, compared without case, spaces or `0x`, and a configured long key
/// ID (16 hex digits or more) may match the end of the fingerprint.
pub fn key_matches(configured: &str, key: &str, primary_key: &str) -> bool {
    let configured = configured.trim();
    if let Some((algo, rest)) = configured.split_once(':') {
        return [key, primary_key].iter().any(|k| {
            k.split_once(':')
                .is_some_and(|(a, r)| a.eq_ignore_ascii_case(algo) && r == rest)
        });
    }
    let hex = |s: &str| -> String {
        let s = s.trim();
        let s = s
            .strip_prefix("0x")
            .or_else(|| s.strip_prefix("0X"))
            .unwrap_or(s);
        s.chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase()
    };
    let wanted = hex(configured);
    if wanted.len() < 16 || !wanted.chars().all(|c| c.is_ascii_hexdigit()) {
        return false;
    }
    [key, primary_key]
        .iter()
        .map(|k| hex(k))
        .any(|k| !k.is_empty() && k.ends_with(&wanted))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LI: &str = "li.na@example.com";
    const CHEN: &str = "chen.jing@example.com";
    const CHEN_KEY: &str = "SHA256:Mh4cp0w50l5VnW7VwoPqS2r7W2pu6QkO/Cw4Cxui3lg";

    fn config() -> Config {
        let mut c = Config::parse(
            r#"
[[members]]
id = "li.na"
name = "李娜"
email = "Li.Na@example.com"
signing_key = "SHA256:aaaa"

[[members]]
id = "chen.jing"
name = "陈静"
email = "chen.jing@example.com"
signing_key = "SHA256:Mh4cp0w50l5VnW7VwoPqS2r7W2pu6QkO/Cw4Cxui3lg"

[[members]]
id = "sun.li"
name = "孙莉"
"#,
        )
        .unwrap();
        c.members.sort_by(|a, b| a.id.cmp(&b.id));
        c
    }

    /// A record file whose history holds entries `(minute, by, action)`.
    fn text(entries: &[(u32, &str, &str)]) -> String {
        let mut t = String::from("# header\nid: REQ-20261127-A7KQ2MX\ntitle: t\nhistory:\n");
        for (m, by, action) in entries {
            t.push_str(&format!(
                "- at: \"2026-11-27T10:{m:02}:00+08:00\"\n  by: {by}\n  action: {action}\n"
            ));
        }
        t
    }

    fn commit(hash: &str, parents: &[&str], email: &str) -> Commit {
        Commit {
            hash: format!("{hash}000000000000"),
            parents: parents.iter().map(|p| format!("{p}000000000000")).collect(),
            author_email: email.into(),
            signature: 'N',
            key: String::new(),
            primary_key: String::new(),
        }
    }

    fn signed(mut c: Commit, status: char, key: &str) -> Commit {
        c.signature = status;
        c.key = key.into();
        c
    }

    const PATH: &str = "requests/2026/REQ-20261127-A7KQ2MX.yaml";

    fn version(commit: usize, text: String, parents: &[&String]) -> Version {
        Version {
            commit,
            path: PATH.into(),
            text: Some(text),
            parents: parents.iter().map(|p| Some((*p).clone())).collect(),
        }
    }

    fn last(base: &str, now: &str) -> Vec<Final> {
        vec![Final {
            path: PATH.into(),
            base: Some(base.into()),
            now: now.into(),
        }]
    }

    fn messages(h: &History, signatures: bool) -> Vec<String> {
        judge(h, &config(), signatures)
            .into_iter()
            .map(|f| format!("{}:{}: {}", f.path.display(), f.line, f.message))
            .collect()
    }

    /// Base has the create entry; li.na comments (commit a), chen.jing approves (commit b).
    fn two_commits(a_email: &str, b_email: &str) -> History {
        let base = text(&[(0, "zhao.lei", "create")]);
        let a = text(&[(0, "zhao.lei", "create"), (1, "li.na", "comment")]);
        let b = text(&[
            (0, "zhao.lei", "create"),
            (1, "li.na", "comment"),
            (2, "chen.jing", "approve"),
        ]);
        History {
            commits: vec![
                commit("aaaaaaa", &["base"], a_email),
                commit("bbbbbbb", &["aaaaaaa"], b_email),
            ],
            versions: vec![
                version(0, a.clone(), &[&base]),
                version(1, b.clone(), &[&a]),
            ],
            files: last(&base, &b),
        }
    }

    #[test]
    fn entries_committed_by_their_authors_pass_whatever_the_email_case() {
        assert_eq!(
            messages(&two_commits(LI, CHEN), false),
            Vec::<String>::new()
        );
        assert_eq!(
            messages(&two_commits("LI.NA@EXAMPLE.COM", CHEN), false),
            Vec::<String>::new()
        );
    }

    #[test]
    fn an_entry_committed_by_someone_else_names_file_line_commit_and_author() {
        let m = messages(&two_commits(LI, LI), false);
        assert_eq!(
            m,
            [format!(
                "{PATH}:11: history entry 3 (approve by chen.jing) was committed by \
                 li.na@example.com in bbbbbbb; only chen.jing (chen.jing@example.com) may \
                 write entries in their name"
            )]
        );
    }

    #[test]
    fn an_entry_that_first_appears_in_a_merge_fails() {
        let base = text(&[(0, "zhao.lei", "create")]);
        let a = text(&[(0, "zhao.lei", "create"), (1, "li.na", "comment")]);
        let merged = text(&[
            (0, "zhao.lei", "create"),
            (1, "li.na", "comment"),
            (3, "chen.jing", "approve"),
        ]);
        let h = History {
            commits: vec![
                commit("aaaaaaa", &["base"], LI),
                commit("mmmmmmm", &["aaaaaaa", "base"], CHEN),
            ],
            versions: vec![
                version(0, a.clone(), &[&base]),
                version(1, merged.clone(), &[&a, &base]),
            ],
            files: last(&base, &merged),
        };
        let m = messages(&h, false);
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(
            m[0].contains("history entry 3 (approve by chen.jing) first appears in merge commit mmmmmmm; entries must come from ordinary commits"),
            "{m:?}"
        );
    }

    #[test]
    fn a_merge_that_unites_both_sides_adds_nothing() {
        let base = text(&[(0, "zhao.lei", "create")]);
        let a = text(&[(0, "zhao.lei", "create"), (1, "li.na", "comment")]);
        let b = text(&[(0, "zhao.lei", "create"), (2, "chen.jing", "comment")]);
        let merged = text(&[
            (0, "zhao.lei", "create"),
            (1, "li.na", "comment"),
            (2, "chen.jing", "comment"),
        ]);
        let h = History {
            commits: vec![
                commit("aaaaaaa", &["base"], LI),
                commit("bbbbbbb", &["base"], CHEN),
                commit("mmmmmmm", &["aaaaaaa", "bbbbbbb"], "merger@example.com"),
            ],
            versions: vec![
                version(0, a.clone(), &[&base]),
                version(1, b.clone(), &[&base]),
                version(2, merged.clone(), &[&a, &b]),
            ],
            files: last(&base, &merged),
        };
        assert_eq!(messages(&h, false), Vec::<String>::new());
    }

    #[test]
    fn a_cherry_picked_entry_is_attributed_to_the_first_commit_that_added_it() {
        // chen.jing writes her approval (a); li.na cherry-picks it onto her side (b); merged.
        let base = text(&[(0, "zhao.lei", "create")]);
        let a = text(&[(0, "zhao.lei", "create"), (2, "chen.jing", "approve")]);
        let merged = a.clone();
        let history = |first: &str, second: &str| History {
            commits: vec![
                commit("aaaaaaa", &["base"], first),
                commit("bbbbbbb", &["base"], second),
                commit("mmmmmmm", &["aaaaaaa", "bbbbbbb"], LI),
            ],
            versions: vec![
                version(0, a.clone(), &[&base]),
                version(1, a.clone(), &[&base]),
                version(2, merged.clone(), &[&a, &a]),
            ],
            files: last(&base, &merged),
        };
        assert_eq!(messages(&history(CHEN, LI), false), Vec::<String>::new());
        let m = messages(&history(LI, CHEN), false);
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(
            m[0].contains("committed by li.na@example.com in aaaaaaa"),
            "{m:?}"
        );
    }

    #[test]
    fn an_entry_only_in_the_working_tree_is_not_committed() {
        let base = text(&[(0, "zhao.lei", "create")]);
        let now = text(&[(0, "zhao.lei", "create"), (1, "li.na", "comment")]);
        let h = History {
            commits: vec![],
            versions: vec![],
            files: last(&base, &now),
        };
        let m = messages(&h, false);
        assert_eq!(
            m,
            [format!(
                "{PATH}:8: history entry 2 (comment by li.na) is not committed; \
                 --verify-authors judges the commit that adds each entry, so commit it as li.na"
            )]
        );
    }

    #[test]
    fn unknown_members_and_members_without_email_are_reported() {
        let base = text(&[(0, "zhao.lei", "create")]);
        let now = text(&[
            (0, "zhao.lei", "create"),
            (1, "ghost", "comment"),
            (2, "sun.li", "comment"),
        ]);
        let h = History {
            commits: vec![commit("aaaaaaa", &["base"], LI)],
            versions: vec![version(0, now.clone(), &[&base])],
            files: last(&base, &now),
        };
        let m = messages(&h, false);
        assert_eq!(m.len(), 2, "{m:?}");
        assert!(
            m[0].contains("names `ghost`, who is not a team member"),
            "{m:?}"
        );
        assert!(
            m[1].contains("sun.li has no `email` in presales.toml"),
            "{m:?}"
        );
    }

    #[test]
    fn a_new_file_counts_every_entry() {
        let now = text(&[(0, "li.na", "create")]);
        let h = History {
            commits: vec![commit("aaaaaaa", &["base"], CHEN)],
            versions: vec![Version {
                commit: 0,
                path: PATH.into(),
                text: Some(now.clone()),
                parents: vec![None],
            }],
            files: vec![Final {
                path: PATH.into(),
                base: None,
                now,
            }],
        };
        let m = messages(&h, false);
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(m[0].contains("history entry 1 (create by li.na) was committed by chen.jing"));
    }

    #[test]
    fn signatures_must_be_good_and_by_the_members_key() {
        let with = |status: char, key: &str| {
            let mut h = two_commits(LI, CHEN);
            h.commits[0] = signed(h.commits[0].clone(), 'G', "SHA256:aaaa");
            h.commits[1] = signed(h.commits[1].clone(), status, key);
            messages(&h, true)
        };
        assert_eq!(with('G', CHEN_KEY), Vec::<String>::new());
        let m = with('N', "");
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(
            m[0].contains("was committed in bbbbbbb without a good signature (git reports `N`"),
            "{m:?}"
        );
        let m = with('U', CHEN_KEY);
        assert!(m[0].contains("git reports `U`"), "{m:?}");
        let m = with('G', "SHA256:aaaa");
        assert_eq!(
            m,
            [format!(
                "{PATH}:11: history entry 3 (approve by chen.jing) was signed in bbbbbbb with \
                 key SHA256:aaaa, not with chen.jing's signing_key {CHEN_KEY}"
            )]
        );
        // Without --verify-signatures, signatures are not looked at.
        let h = two_commits(LI, CHEN);
        assert_eq!(messages(&h, false), Vec::<String>::new());
    }

    #[test]
    fn a_member_without_signing_key_cannot_pass_verify_signatures() {
        let base = text(&[(0, "zhao.lei", "create")]);
        let now = text(&[(0, "zhao.lei", "create"), (1, "sun.li", "comment")]);
        let mut config = config();
        config
            .members
            .iter_mut()
            .filter(|m| m.id == "sun.li")
            .for_each(|m| m.email = Some("sun.li@example.com".into()));
        let h = History {
            commits: vec![signed(
                commit("aaaaaaa", &["base"], "sun.li@example.com"),
                'G',
                "SHA256:x",
            )],
            versions: vec![version(0, now.clone(), &[&base])],
            files: last(&base, &now),
        };
        let m: Vec<String> = judge(&h, &config, true)
            .into_iter()
            .map(|f| f.message)
            .collect();
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(m[0].contains("sun.li has no `signing_key`"), "{m:?}");
    }

    #[test]
    fn keys_match_by_ssh_fingerprint_or_gpg_fingerprint_and_long_id() {
        assert!(key_matches(CHEN_KEY, CHEN_KEY, ""));
        assert!(key_matches(
            "sha256:Mh4cp0w50l5VnW7VwoPqS2r7W2pu6QkO/Cw4Cxui3lg",
            CHEN_KEY,
            ""
        ));
        // Base64 is case-sensitive.
        assert!(!key_matches(&CHEN_KEY.to_lowercase(), CHEN_KEY, ""));
        assert!(!key_matches("SHA256:Mh4cp0w50l5V", CHEN_KEY, ""));
        let sub = "4F7A1C2B3D4E5F60718293A4B5C6D7E8F9012345";
        let primary = "0123456789ABCDEF0123456789ABCDEF01234567";
        assert!(key_matches(sub, sub, primary));
        assert!(key_matches(&primary.to_lowercase(), sub, primary));
        assert!(
            key_matches("0x89ABCDEF01234567", sub, primary),
            "long id of the primary"
        );
        assert!(key_matches(
            "0123 4567 89AB CDEF 0123  4567 89AB CDEF 0123 4567",
            sub,
            primary
        ));
        assert!(
            !key_matches("01234567", sub, primary),
            "short ids are too weak"
        );
        assert!(!key_matches("", sub, primary));
        assert!(!key_matches("89ABCDEF01234567", "", ""));
    }
}
