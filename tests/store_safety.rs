//! Nothing outside the store is touched, nothing inside is lost (issue 12): one boundary
//! for paths (no absolute paths, no `..`, no symbolic links), one lister of record files
//! with one rule for files out of place, temp files of killed writes swept and flagged, a
//! parse cache that never serves a damaged byte, linked records that fail loudly.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{Env, Run};

#[cfg(unix)]
use std::os::unix::fs::symlink;

/// A folder outside the store with a file whose word must never show up anywhere.
fn outside() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("secret.md"),
        "# 外部机密\n\nOUTSIDESECRET 机密外泄\n",
    )
    .unwrap();
    dir
}

fn article_path(env: &Env, id: &str) -> PathBuf {
    let year = &id[id.find('-').unwrap() + 1..][..4];
    env.root().join("kb").join(year).join(format!("{id}.yaml"))
}

fn solution_path(env: &Env, id: &str) -> PathBuf {
    let year = &id[id.find('-').unwrap() + 1..][..4];
    env.root()
        .join("solutions")
        .join(year)
        .join(format!("{id}.yaml"))
}

/// A request in `design`, assigned to li.na.
fn designed(env: &Env, cus: &str, title: &str) -> String {
    let req = env.request(cus, title, &[]);
    env.run_as("zhang.wei", &["assign", &req, "--to", "li.na"])
        .ok();
    env.run_as(
        "li.na",
        &[
            "assess",
            &req,
            "--feasibility",
            "feasible",
            "--difficulty",
            "2",
        ],
    )
    .ok();
    env.run_as("li.na", &["advance", &req]).ok();
    req
}

fn no_panic(r: &Run) {
    assert_ne!(r.code(), 101, "{}", r.stderr());
    assert!(!r.stderr().contains("panicked"), "{}", r.stderr());
}

fn check_out(env: &Env) -> String {
    let r = env.run(&["check"]);
    no_panic(&r);
    r.stdout()
}

/// Every file and its bytes under `dir`, to prove nothing there changed.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in walk(dir) {
        if entry.is_file() {
            out.push((entry.clone(), fs::read(&entry).unwrap()));
        }
    }
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p.clone());
            }
            out.push(p);
        }
    }
    out
}

#[cfg(unix)]
#[test]
fn a_body_file_that_is_a_link_is_never_read_shown_or_indexed() {
    let env = Env::new();
    let out = outside();
    fs::create_dir_all(env.root().join("docs")).unwrap();
    fs::write(env.root().join("docs/body.md"), "# 正文\n\n内部正文\n").unwrap();
    let id = env
        .run(&[
            "kb",
            "new",
            "--title",
            "链接正文",
            "--category",
            "faq",
            "--body-file",
            "docs/body.md",
        ])
        .ok();
    // The body file becomes a link to a file outside the store (a committed link would).
    fs::remove_file(env.root().join("docs/body.md")).unwrap();
    symlink(
        out.path().join("secret.md"),
        env.root().join("docs/body.md"),
    )
    .unwrap();
    let shown = env.run(&["kb", "show", &id]);
    no_panic(&shown);
    assert_eq!(shown.code(), 1, "{}", shown.stderr());
    assert!(
        !shown.stdout().contains("OUTSIDESECRET"),
        "{}",
        shown.stdout()
    );
    assert!(
        shown.stderr().contains("`docs/body.md` is a symbolic link"),
        "{}",
        shown.stderr()
    );
    assert!(
        shown.stderr().contains("hint: replace the link"),
        "{}",
        shown.stderr()
    );
    let show = env.run(&["show", &id]);
    assert!(!show.stdout().contains("OUTSIDESECRET"));
    let found = env.run(&["--format", "json", "kb", "search", "OUTSIDESECRET"]);
    no_panic(&found);
    assert!(!found.stdout().contains(&id), "{}", found.stdout());
    // A folder on the way that is a link is refused the same way.
    fs::remove_file(env.root().join("docs/body.md")).unwrap();
    fs::remove_dir(env.root().join("docs")).unwrap();
    fs::copy(out.path().join("secret.md"), out.path().join("body.md")).unwrap();
    symlink(out.path(), env.root().join("docs")).unwrap();
    let shown = env.run(&["kb", "show", &id]);
    assert!(
        !shown.stdout().contains("OUTSIDESECRET"),
        "{}",
        shown.stdout()
    );
    assert!(
        shown.stderr().contains("`docs` is a symbolic link"),
        "{}",
        shown.stderr()
    );
    assert!(check_out(&env).contains("body_file: `docs/body.md`: `docs` is a symbolic link"));
}

#[test]
fn files_named_by_records_must_be_real_files_inside_the_store() {
    let env = Env::new();
    let id = env
        .run(&[
            "kb",
            "new",
            "--title",
            "附件",
            "--category",
            "faq",
            "--body",
            "正文",
        ])
        .ok();
    let path = article_path(&env, &id);
    let text = fs::read_to_string(&path).unwrap();
    fs::create_dir_all(env.root().join("docs")).unwrap();
    fs::write(env.root().join("docs/ok.pdf"), "%PDF").unwrap();
    let text = text.replacen(
        "\nhistory:",
        "\nattachments:\n- docs/ok.pdf\n- /etc/passwd\n- ../outside.pdf\n- docs/missing.pdf\nhistory:",
        1,
    );
    fs::write(&path, &text).unwrap();
    let out = check_out(&env);
    for expect in [
        "attachments: `/etc/passwd` is an absolute path",
        "attachments: `../outside.pdf` goes outside the store",
        "attachments `docs/missing.pdf` does not exist in the store",
    ] {
        assert!(out.contains(expect), "{expect}:\n{out}");
    }
    assert!(!out.contains("docs/ok.pdf"), "{out}");
    // A plan file that went missing is a finding too.
    let cus = env.customer("ACME");
    let req = designed(&env, &cus, "方案");
    fs::create_dir_all(env.root().join("plans")).unwrap();
    fs::write(env.root().join("plans/p.md"), "# plan\n").unwrap();
    let sol = env
        .run_as(
            "li.na",
            &[
                "solution",
                "new",
                "--request",
                &req,
                "--plan-file",
                "plans/p.md",
            ],
        )
        .ok();
    assert!(solution_path(&env, &sol).exists());
    fs::remove_file(env.root().join("plans/p.md")).unwrap();
    assert!(
        check_out(&env).contains("plan_file `plans/p.md` does not exist in the store"),
        "{}",
        check_out(&env)
    );
}

#[cfg(unix)]
#[test]
fn a_record_file_that_is_a_link_is_reported_by_every_command_and_never_written_through() {
    let env = Env::new();
    let cus = env.customer("ACME");
    let id = env.request(&cus, "链接记录", &[]);
    let other = env.request(&cus, "普通记录", &[]);
    let out = tempfile::tempdir().unwrap();
    let path = env.path_of(&id);
    let moved = out.path().join(format!("{id}.yaml"));
    fs::rename(&path, &moved).unwrap();
    symlink(&moved, &path).unwrap();
    let before = snapshot(out.path());
    let rel = format!("requests/2026/{id}.yaml");

    let list = env.run(&["--format", "json", "list"]);
    assert_eq!(list.code(), 0, "{}", list.stderr());
    assert!(list.stdout().contains(&other) && !list.stdout().contains(&id));
    let warning = format!("warning: {rel}: a symbolic link");
    assert!(list.stderr().contains(&warning), "{}", list.stderr());

    for args in [
        vec!["show", id.as_str()],
        vec!["comment", id.as_str(), "写到外面"],
        vec!["advance", id.as_str()],
    ] {
        let r = env.run(&args);
        no_panic(&r);
        assert_eq!(r.code(), 1, "{args:?}: {}", r.stderr());
        assert!(
            r.stderr().contains(&format!("`{rel}` is a symbolic link")),
            "{}",
            r.stderr()
        );
    }
    assert_eq!(
        snapshot(out.path()),
        before,
        "the file behind the link changed"
    );
    assert!(check_out(&env).contains(&format!("{rel}:1:1: error: a symbolic link")));
    // A record folder that is a link: its records are not read, nothing is written there.
    let cdir = env.root().join("customers");
    let away = out.path().join("customers");
    fs::rename(&cdir, &away).unwrap();
    symlink(&away, &cdir).unwrap();
    let before = snapshot(out.path());
    let r = env.run(&["customer", "list"]);
    assert!(
        r.stderr().contains("warning: customers: a symbolic link"),
        "{}",
        r.stderr()
    );
    let r = env.run(&["customer", "new", "--name", "新客户"]);
    assert_eq!(r.code(), 1, "{}", r.stderr());
    assert!(
        r.stderr().contains("`customers` is a symbolic link"),
        "{}",
        r.stderr()
    );
    assert_eq!(snapshot(out.path()), before);
}

#[test]
fn a_file_out_of_place_is_reported_the_same_way_by_every_command() {
    let env = Env::new();
    let cus = env.customer("ACME");
    let id = env.request(&cus, "放错位置", &[]);
    let kept = env.request(&cus, "原地", &[]);
    fs::create_dir_all(env.root().join("requests/2025")).unwrap();
    fs::rename(
        env.path_of(&id),
        env.root().join(format!("requests/2025/{id}.yaml")),
    )
    .unwrap();
    let rel = format!("requests/2025/{id}.yaml");
    let message = format!(
        "{rel}: file in the wrong place: {id} belongs at requests/2026/{id}.yaml, so no command \
         reads it; move it: `git mv {rel} requests/2026/{id}.yaml`"
    );
    // Listing commands: not listed, one warning line.
    for args in [
        vec!["--format", "json", "list"],
        vec!["list"],
        vec!["team"],
        vec!["customer", "show", cus.as_str()],
        vec!["report", "weekly"],
    ] {
        let r = env.run(&args);
        no_panic(&r);
        assert!(
            r.stderr().contains(&format!("warning: {message}")),
            "{args:?}: {}",
            r.stderr()
        );
        assert_eq!(r.stderr().matches(&message).count(), 1, "{}", r.stderr());
    }
    let list = env.run(&["--format", "json", "list"]).stdout();
    assert!(list.contains(&kept) && !list.contains(&id), "{list}");
    // show, by full ID and by abbreviation: the same words, as an error.
    for input in [id.as_str(), &id[id.len() - 7..]] {
        let r = env.run(&["show", input]);
        assert_eq!(r.code(), 1, "{}", r.stderr());
        assert!(
            r.stderr()
                .contains(&format!("error: {rel}: file in the wrong place"))
        );
        assert_eq!(
            r.stderr().matches("wrong place").count(),
            1,
            "{}",
            r.stderr()
        );
        assert!(!r.stderr().contains("No such file"), "{}", r.stderr());
    }
    // check: the same words, as a finding.
    let out = check_out(&env);
    assert!(
        out.contains(&format!(
            "{rel}:1:1: error: file in the wrong place: {id} belongs at requests/2026/{id}.yaml"
        )),
        "{out}"
    );
    // A file whose name is not an ID.
    fs::write(env.root().join("requests/2026/notes.yaml"), "x: 1\n").unwrap();
    let r = env.run(&["list"]);
    assert!(
        r.stderr()
            .contains("warning: requests/2026/notes.yaml: not a record ID"),
        "{}",
        r.stderr()
    );
}

#[test]
fn temp_files_of_killed_writes_are_ignored_by_git_flagged_by_check_and_swept_by_the_next_write() {
    let env = Env::new();
    let cus = env.customer("ACME");
    let id = env.request(&cus, "临时文件", &[]);
    env.commit_all("request");
    // What a write killed between creating its temp file and the rename leaves: the temp
    // file, and the folder noted in the lock file (the writer's journal).
    let tmp = env.root().join("requests/2026/.presales-tmp-Ab12Cd");
    fs::write(&tmp, "half a record").unwrap();
    let ctmp = env.root().join("customers/.presales-tmp-Zz99Yy");
    fs::write(&ctmp, "").unwrap();
    fs::write(
        env.root().join(".presales/lock"),
        "requests/2026\ncustomers\n",
    )
    .unwrap();
    // A temp file no killed write noted is not presales' to delete; check reports it.
    let foreign = env.root().join("kb/.presales-tmp-Qq00Rr");
    fs::write(&foreign, "").unwrap();
    assert!(
        fs::read_to_string(env.root().join(".gitignore"))
            .unwrap()
            .contains(".presales-tmp-*\n")
    );
    assert_eq!(
        env.git(&["status", "--porcelain"]),
        "",
        "git sees the temp file"
    );
    // Reading commands do not warn (it may be a write in progress); check flags it.
    assert!(!env.run(&["list"]).stderr().contains("presales-tmp"));
    let out = check_out(&env);
    assert!(
        out.contains(
            "requests/2026/.presales-tmp-Ab12Cd:1:1: error: temp file left by an interrupted write"
        ),
        "{out}"
    );
    // The next write, under the lock, removes every one of them.
    env.run(&["comment", &id, "下一次写入"]).ok();
    assert!(!tmp.exists() && !ctmp.exists());
    assert_eq!(fs::read(env.root().join(".presales/lock")).unwrap(), b"");
    assert!(foreign.exists());
    assert!(check_out(&env).contains("kb/.presales-tmp-Qq00Rr:1:1: error: temp file"));
    fs::remove_file(&foreign).unwrap();
    assert_eq!(env.run(&["check"]).code(), 0, "{}", check_out(&env));
    // Any other file in a record folder is flagged too (a warning).
    fs::write(env.root().join("kb/README.md"), "notes").unwrap();
    let out = check_out(&env);
    assert!(
        out.contains("kb/README.md:1:1: warning: not a record file; move it out of kb/"),
        "{out}"
    );
}

#[test]
fn migrate_completes_gitignore_and_check_offers_the_line() {
    let env = Env::new();
    let gi = env.root().join(".gitignore");
    fs::write(&gi, "target/\n/.presales/\n").unwrap();
    let out = check_out(&env);
    assert!(
        out.contains(".gitignore:1:1: warning: `.presales-tmp-*` is missing"),
        "{out}"
    );
    let r = env.run(&["migrate", "--check"]);
    assert!(
        r.stdout().contains(".gitignore: ignore the derived caches"),
        "{}",
        r.stdout()
    );
    env.run(&["migrate"]).ok();
    let text = fs::read_to_string(&gi).unwrap();
    assert!(text.starts_with("target/\n/.presales/\n"), "{text}");
    assert_eq!(text.matches(".presales-tmp-*").count(), 1, "{text}");
    assert!(!check_out(&env).contains(".gitignore"));
    env.run(&["migrate"]).ok();
    assert_eq!(fs::read_to_string(&gi).unwrap(), text);
}

#[test]
fn a_damaged_parse_cache_never_shows_wrong_data() {
    let env = Env::new();
    let cus = env.customer("ACME");
    for t in ["alpha", "bravo", "charlie"] {
        env.request(&cus, t, &[]);
    }
    let reference = env.run(&["--format", "json", "list"]).ok();
    let cache = env.root().join(".presales/cache/requests.bin");
    let good = fs::read(&cache).unwrap();
    // Bytes of a title and of an ID, and a spread of others.
    let find = |needle: &[u8]| {
        good.windows(needle.len())
            .position(|w| w == needle)
            .unwrap()
    };
    let mut places = vec![find(b"bravo") + 1, find(b"REQ-") + 5];
    places.extend((0..good.len()).step_by(good.len() / 12 + 1));
    places.push(good.len() - 1);
    for at in places {
        let mut bad = good.clone();
        bad[at] ^= 0x04;
        fs::write(&cache, &bad).unwrap();
        let r = env.run(&["--format", "json", "list"]);
        no_panic(&r);
        assert_eq!(r.ok(), reference, "byte {at} flipped");
        assert_eq!(r.stderr(), "", "rebuilt silently");
        // Rebuilt once: the next run reads a good cache again.
        assert_eq!(fs::read(&cache).unwrap(), good, "byte {at}");
    }
}

#[cfg(unix)]
#[test]
fn presales_folder_links_and_tracked_derived_files_are_reported_and_refused() {
    let env = Env::new();
    let cus = env.customer("ACME");
    let id = env.request(&cus, "派生数据", &[]);
    env.run(&["list"]).ok();
    env.git(&["add", "-f", ".presales/cache/requests.bin"]);
    let out = check_out(&env);
    assert!(
        out.contains(".presales:1:1: error: git tracks 1 file(s) of the derived data"),
        "{out}"
    );
    assert!(out.contains("git rm -r --cached .presales"), "{out}");
    env.git(&["rm", "-q", "-r", "--cached", ".presales"]);
    // A link at .presales: writes refuse (the lock lives there), check reports it.
    let away = tempfile::tempdir().unwrap();
    fs::remove_dir_all(env.root().join(".presales")).unwrap();
    symlink(away.path(), env.root().join(".presales")).unwrap();
    let r = env.run(&["comment", &id, "x"]);
    assert_eq!(r.code(), 1, "{}", r.stderr());
    assert!(
        r.stderr().contains("`.presales` is a symbolic link"),
        "{}",
        r.stderr()
    );
    let list = env.run(&["--format", "json", "list"]);
    assert_eq!(list.code(), 0, "{}", list.stderr());
    assert!(list.stdout().contains(&id));
    assert_eq!(
        fs::read_dir(away.path()).unwrap().count(),
        0,
        "written through the link"
    );
    assert!(check_out(&env).contains(".presales:1:1: error: a symbolic link"));
    // A presales.toml that is a link is never written through either.
    fs::remove_file(env.root().join(".presales")).unwrap();
    let cfg = env.root().join("presales.toml");
    let real = away.path().join("presales.toml");
    fs::rename(&cfg, &real).unwrap();
    symlink(&real, &cfg).unwrap();
    let before = fs::read(&real).unwrap();
    let r = env.run(&[
        "team", "add", "new.one", "--name", "新人", "--role", "engineer",
    ]);
    assert_eq!(r.code(), 1, "{}", r.stderr());
    assert_eq!(fs::read(&real).unwrap(), before);
}

#[test]
fn show_reports_a_linked_record_it_cannot_read_after_showing_the_request() {
    let env = Env::new();
    let cus = env.customer("ACME");
    let req = designed(&env, &cus, "坏链接");
    let sol = env
        .run_as("li.na", &["solution", "new", "--request", &req])
        .ok();
    let sp = solution_path(&env, &sol);
    let text = fs::read_to_string(&sp).unwrap();
    fs::write(&sp, text.replacen("\nrequest:", "\nrequest: [\n", 1)).unwrap();
    for args in [
        vec!["show", req.as_str()],
        vec!["show", req.as_str(), "--history"],
    ] {
        let r = env.run(&args);
        no_panic(&r);
        assert_eq!(r.code(), 1, "{}", r.stderr());
        assert!(r.stdout().contains(&req), "the request is still shown");
        let at = format!("error: solutions/2026/{sol}.yaml:");
        assert!(r.stderr().contains(&at), "{}", r.stderr());
    }
    // A customer that is gone: named as a broken link.
    fs::write(&sp, text).unwrap();
    fs::remove_file(env.path_of(&cus)).unwrap();
    let r = env.run(&["show", &req]);
    assert_eq!(r.code(), 1);
    assert!(
        r.stderr()
            .contains(&format!("error: {req}: customer {cus} does not exist")),
        "{}",
        r.stderr()
    );
}

/// A record saved in another encoding (or a binary file saved over it) is an error at the
/// line and column of its first bad byte, with the fix, in every command that reads it;
/// the other records still list, and `presales.toml` gets the same treatment.
#[test]
fn a_file_that_is_not_utf8_is_named_at_its_line_with_the_fix() {
    let env = Env::new();
    let cus = env.customer("ACME");
    let good = env.request(&cus, "数据平台", &[]);
    let bad = env.request(&cus, "坏文件", &[]);
    let path = env.path_of(&bad);
    let text = fs::read_to_string(&path).unwrap();
    // The title in GBK, as an editor set to another encoding would save it.
    let at = text.find("坏文件").unwrap();
    let mut bytes = text.as_bytes()[..at].to_vec();
    bytes.extend_from_slice(b"\xbb\xb5\xce\xc4\xbc\xfe");
    bytes.extend_from_slice(&text.as_bytes()[at + "坏文件".len()..]);
    fs::write(&path, &bytes).unwrap();
    let line = text[..at].lines().count();
    let column = text[..at].rsplit('\n').next().unwrap().chars().count() + 1;
    let rel = path.strip_prefix(env.root()).unwrap().display().to_string();
    let at = format!("{rel}:{line}:{column}");

    let list = env.run(&["list"]);
    no_panic(&list);
    assert_eq!(list.code(), 1, "{}", list.stderr());
    assert!(list.stdout().contains(&good), "{}", list.stdout());
    let err = list.stderr();
    assert!(err.contains(&format!("{at}: not UTF-8 text")), "{err}");
    assert!(err.contains("save the file as UTF-8"), "{err}");

    let show = env.run(&["show", &bad]);
    no_panic(&show);
    assert!(
        show.stderr().contains(&format!("{at}: not UTF-8 text")),
        "{}",
        show.stderr()
    );

    let check = check_out(&env);
    assert!(
        check.contains(&format!("{at}: error: not UTF-8 text")),
        "{check}"
    );
    // The path is said once, in front.
    assert_eq!(check.matches(&rel).count(), 1, "{check}");

    fs::write(&path, &text).unwrap();
    let config = env.root().join("presales.toml");
    let mut toml = fs::read(&config).unwrap();
    toml.extend_from_slice(b"# \xff\n");
    fs::write(&config, &toml).unwrap();
    let r = env.run(&["list"]);
    no_panic(&r);
    assert_ne!(r.code(), 0);
    assert!(r.stderr().contains("not UTF-8 text"), "{}", r.stderr());
    assert!(
        r.stderr().contains("save the file as UTF-8"),
        "{}",
        r.stderr()
    );
}
