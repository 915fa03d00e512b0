//! The store on disk: root discovery, paths, canonical record files, atomic writes, the lock.
//!
//! The only module that touches record files and presales.toml. A record's path is a
//! function of its ID alone ([`Store::path_of`]); state never moves a file.

pub mod cache;
pub mod canonical;
mod files;
pub mod format;
pub mod last_key;
mod lock;
pub mod paths;
pub mod scan;
pub mod searches;
pub mod yaml;

use std::fs;
use std::path::{Path, PathBuf};

pub use files::slash_path;
pub(crate) use files::utf8_text;
pub use lock::StoreLock;
pub use scan::{Stray, StrayKind};

use crate::calendar::Calendar;
use crate::config::{self, CONFIG_FILE, Config};
use crate::error::{Error, Result};
use crate::model::id::{abbreviates, check_abbreviation};
use crate::model::{Kind, Record, RecordId, Timestamp};
use crate::workflow::Workflow;

/// Folder of derived caches; deleting it loses nothing.
pub const CACHE_DIR: &str = ".presales";

pub struct Store {
    root: PathBuf,
    pub config: Config,
    pub workflow: Workflow,
    /// The validated `[calendar]` of presales.toml, if any.
    pub calendar: Option<Calendar>,
    /// The store format presales.toml declares.
    pub format: format::StoreFormat,
    /// What is wrong with presales.toml beyond its syntax ([`Config::problems`]): reading
    /// commands and `check` still run, every write is refused ([`Store::lock`]).
    pub config_problems: Vec<config::ConfigProblem>,
    /// Strays that look like records, noted by every listing ([`Store::take_noticed`]).
    noticed: Noticed,
    /// Told how a long read goes ([`Store::on_progress`]).
    progress: Option<Progress>,
}

/// Called while many record files are read at once (the first command on a fresh clone
/// fills the parse cache): what is read (a record folder), how many files are done, of how
/// many. Called with `done == 0` first and `done == total` last, from any thread.
pub type Progress = std::sync::Arc<dyn Fn(&str, usize, usize) + Send + Sync>;

/// Where listings note strays; shared with the CLI, which reports them when the command ends.
/// Reads of fewer files than this are quick enough to report no progress.
pub const PROGRESS_FROM: usize = 2000;

pub type Noticed = std::sync::Arc<std::sync::Mutex<Vec<Stray>>>;

/// Finds the store root: `--root`, else `PRESALES_ROOT`, else the nearest folder at or above
/// `cwd` holding presales.toml (like git finds `.git`).
pub fn discover(explicit: Option<&Path>, env: Option<&Path>, cwd: &Path) -> Result<PathBuf> {
    if let Some(dir) = explicit.or(env) {
        let dir = if dir.is_absolute() {
            dir.to_path_buf()
        } else {
            cwd.join(dir)
        };
        if dir.join(CONFIG_FILE).is_file() {
            return Ok(dir);
        }
        return Err(Error::NoStore {
            start: dir,
            searched_parents: false,
        });
    }
    cwd.ancestors()
        .find(|d| d.join(CONFIG_FILE).is_file())
        .map(Path::to_path_buf)
        .ok_or_else(|| Error::NoStore {
            start: cwd.to_path_buf(),
            searched_parents: true,
        })
}

/// Creates a new store in `dir`: presales.toml, the record folders and a .gitignore for the
/// caches. Refuses when `dir` already holds a store. Returns the files written.
pub fn init(dir: &Path, with_example_team: bool) -> Result<Vec<PathBuf>> {
    let config_path = dir.join(CONFIG_FILE);
    if config_path.exists() {
        return Err(Error::StoreExists {
            dir: dir.to_path_buf(),
        });
    }
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut written = Vec::new();
    write_atomic(&config_path, config::template(with_example_team).as_bytes())?;
    written.push(config_path);
    for kind in Kind::ALL {
        let sub = dir.join(kind.dir());
        fs::create_dir_all(&sub).map_err(|e| Error::io(&sub, e))?;
        // git does not track empty folders; a .gitkeep makes the layout visible in a clone.
        let keep = sub.join(".gitkeep");
        if !keep.exists() {
            write_atomic(&keep, b"")?;
            written.push(keep);
        }
    }
    let schemas = dir.join(crate::schema::DIR);
    fs::create_dir_all(&schemas).map_err(|e| Error::io(&schemas, e))?;
    for (name, text) in crate::schema::all() {
        let p = schemas.join(name);
        write_atomic(&p, text.as_bytes())?;
        written.push(p);
    }
    if let Some(p) = ensure_gitattributes(dir)? {
        written.push(p);
    }
    if let Some(p) = ensure_gitignore(dir)? {
        written.push(p);
    }
    Ok(written)
}

/// The `.gitattributes` lines presales needs: record files go through the YAML-aware merge
/// driver (`presales merge-file`), and records and presales.toml are always checked out with
/// LF endings, whatever `core.autocrlf` a clone has (canonical form is LF).
pub fn gitattributes_lines() -> Vec<String> {
    let mut lines = vec![format!("/{CONFIG_FILE} text eol=lf")];
    for kind in Kind::ALL {
        lines.push(format!(
            "{}/**/*.yaml merge=presales text eol=lf",
            kind.dir()
        ));
    }
    lines
}

/// `text` with every line of [`gitattributes_lines`] present: a line for the same pattern
/// (an older store's `requests/**/*.yaml merge=presales`) is replaced in place, a missing
/// one appended; other lines are kept. `None` when nothing changes.
pub fn updated_gitattributes(text: &str) -> Option<String> {
    let wanted = gitattributes_lines();
    let pattern = |l: &str| l.split_whitespace().next().unwrap_or("").to_string();
    // Older stores wrote `customers/*.yaml`; the new pattern covers it.
    let same = |line: &str, want: &str| {
        let (p, w) = (pattern(line), pattern(want));
        p == w
            || p.trim_start_matches('/') == w.trim_start_matches('/')
            || (p.ends_with("/*.yaml") && w == p.replace("/*.yaml", "/**/*.yaml"))
    };
    let mut out: Vec<String> = Vec::new();
    let mut done = vec![false; wanted.len()];
    let mut last_ours = None;
    for line in text.lines() {
        match wanted
            .iter()
            .position(|w| !line.trim_start().starts_with('#') && same(line, w))
        {
            Some(i) if !done[i] => {
                out.push(wanted[i].clone());
                done[i] = true;
                last_ours = Some(out.len());
            }
            Some(_) => {}
            None => out.push(line.to_string()),
        }
    }
    let missing: Vec<String> = wanted
        .iter()
        .zip(&done)
        .filter(|(_, d)| !**d)
        .map(|(w, _)| w.clone())
        .collect();
    match last_ours {
        // Beside the lines of ours already there.
        Some(at) => {
            out.splice(at..at, missing);
        }
        None if !missing.is_empty() => {
            if out.last().is_some_and(|l| !l.is_empty()) {
                out.push(String::new());
            }
            out.push(
                "# presales: records merge field by field (history from both sides is kept) and are"
                    .into(),
            );
            out.push("# checked out with LF line endings whatever core.autocrlf says".into());
            out.extend(missing);
        }
        None => {}
    }
    let mut new = out.join("\n");
    new.push('\n');
    (new != text).then_some(new)
}

/// The `.gitignore` lines presales needs: the derived caches, and the temp files of writes
/// (a killed write leaves one beside the record; `git add -A` must not commit it).
pub fn gitignore_lines() -> Vec<String> {
    vec![format!("/{CACHE_DIR}/"), format!("{}*", scan::TEMP_PREFIX)]
}

/// `text` with the missing lines of [`gitignore_lines`] appended (other lines kept); `None`
/// when none is missing.
pub fn updated_gitignore(text: &str) -> Option<String> {
    let missing = missing_gitignore_lines(text);
    if missing.is_empty() {
        return None;
    }
    let mut new = text.to_string();
    if !new.is_empty() && !new.ends_with('\n') {
        new.push('\n');
    }
    new.push_str(
        "# presales: derived caches (search index, parse cache) and temp files of writes\n",
    );
    for line in missing {
        new.push_str(&line);
        new.push('\n');
    }
    Some(new)
}

/// The lines of [`gitignore_lines`] that `text` lacks.
pub fn missing_gitignore_lines(text: &str) -> Vec<String> {
    gitignore_lines()
        .into_iter()
        .filter(|want| !text.lines().any(|l| l.trim() == want))
        .collect()
}

/// Writes or completes `.gitignore` in `dir`; returns its path when it changed.
pub fn ensure_gitignore(dir: &Path) -> Result<Option<PathBuf>> {
    let path = dir.join(".gitignore");
    let existing = match fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(Error::io(&path, e)),
    };
    match updated_gitignore(&existing) {
        Some(text) => {
            write_atomic(&path, text.as_bytes())?;
            Ok(Some(path))
        }
        None => Ok(None),
    }
}

/// Writes or completes `.gitattributes` in `dir`; returns its path when it changed.
pub fn ensure_gitattributes(dir: &Path) -> Result<Option<PathBuf>> {
    let path = dir.join(".gitattributes");
    let existing = match fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(Error::io(&path, e)),
    };
    match updated_gitattributes(&existing) {
        Some(text) => {
            write_atomic(&path, text.as_bytes())?;
            Ok(Some(path))
        }
        None => Ok(None),
    }
}

impl Store {
    /// Opens the store at `root`, reading and checking presales.toml.
    pub fn open(root: PathBuf) -> Result<Store> {
        let path = root.join(CONFIG_FILE);
        let text = files::read_utf8(&path, &path)?;
        let format = format::StoreFormat::peek(&text).unwrap_or_default();
        if format.recorded == Some(0) {
            return Err(Error::Parse {
                path: path.clone(),
                line: line_of(&text, "format"),
                column: 1,
                message: "[store] format = 0: store formats start at 1".into(),
                hint: Some("run `presales migrate` to record the right format".into()),
            });
        }
        // A newer store may hold settings this version does not know: if it cannot be read,
        // say that it is newer rather than what does not parse.
        let too_new = |e: Error| {
            if format.is_newer() {
                format.too_new("read")
            } else {
                e
            }
        };
        let config = match Config::parse(&text) {
            Ok(c) => c,
            Err(_) if format.is_newer() => match Config::parse_skipping_unknown(&text) {
                Some((c, _)) => c,
                None => return Err(format.too_new("read")),
            },
            Err(e) => return Err(toml_error(&path, &text, &e)),
        };
        let config_problems = config.problems(&text);
        let workflow = Workflow::new(&config.workflow)
            .map_err(|e| {
                let (line, column) = config::locate(&text, &e.key);
                Error::Parse {
                    path: path.clone(),
                    line,
                    column,
                    message: e.message,
                    hint: Some("fix the [workflow] section of presales.toml".into()),
                }
            })
            .map_err(too_new)?;
        let calendar = match &config.calendar {
            Some(c) => Some(c.validate().map_err(|e| Error::Parse {
                path: path.clone(),
                line: line_of(&text, "[calendar"),
                column: 1,
                message: format!("[calendar]: {e}"),
                hint: Some(
                    "fix the [calendar] section of presales.toml (see docs/reports.md)".into(),
                ),
            })?),
            None => None,
        };
        Ok(Store {
            root,
            config,
            workflow,
            calendar,
            format,
            config_problems,
            noticed: Noticed::default(),
            progress: None,
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn config_path(&self) -> PathBuf {
        self.root.join(CONFIG_FILE)
    }

    /// The path of a record relative to the root: `requests/2026/REQ-….yaml`.
    pub fn rel_path(id: &RecordId) -> PathBuf {
        let kind = id.kind();
        let mut p = PathBuf::from(kind.dir());
        if kind.by_year() {
            p.push(id.year().to_string());
        }
        p.push(format!("{id}.yaml"));
        p
    }

    pub fn path_of(&self, id: &RecordId) -> PathBuf {
        self.root.join(Self::rel_path(id))
    }

    /// The path of the record `id` names, if it is a well-formed ID.
    pub fn path_of_id(&self, id: &str) -> Option<PathBuf> {
        RecordId::parse(id).ok().map(|id| self.path_of(&id))
    }

    /// Path relative to the root, for messages.
    pub fn display_path(&self, path: &Path) -> PathBuf {
        path.strip_prefix(&self.root).unwrap_or(path).to_path_buf()
    }

    /// All record files of a kind, by ID order ([`Store::list_records`]: files out of place
    /// are not among them).
    pub fn ids(&self, kind: Kind) -> Result<Vec<(RecordId, PathBuf)>> {
        Ok(self
            .list_records(kind)?
            .records
            .into_iter()
            .map(|r| {
                let path = self.path_of(&r.id);
                (r.id, path)
            })
            .collect())
    }

    /// Resolves a full ID or a unique abbreviation (prefix or suffix) to an existing record.
    pub fn resolve(&self, kind: Kind, input: &str) -> Result<RecordId> {
        let abbrev = check_abbreviation(input).map_err(Error::invalid)?;
        if let Ok(id) = RecordId::parse(&abbrev) {
            if id.kind() != kind {
                return Err(Error::invalid(format!(
                    "{id} is a {}, not a {}",
                    id.kind().noun(),
                    kind.noun()
                )));
            }
            // A full ID needs no scan: its path is known.
            if fs::symlink_metadata(self.record_path(&id)?).is_ok_and(|m| m.is_file()) {
                return Ok(id);
            }
        }
        let listing = self.list_records(kind)?;
        let matches: Vec<RecordId> = listing
            .records
            .into_iter()
            .map(|r| r.id)
            .filter(|id| abbreviates(&abbrev, id.as_str()))
            .collect();
        // A record file out of its place is named, never half-read.
        let stray = || {
            listing.strays.iter().find(|s| match &s.kind {
                StrayKind::Misplaced { id, .. } => abbreviates(&abbrev, id),
                StrayKind::Link => s
                    .path
                    .file_stem()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| abbreviates(&abbrev, n)),
                _ => false,
            })
        };
        if matches.is_empty()
            && let Some(s) = stray()
        {
            // Said once, as the error.
            self.forget_noticed(&s.path);
            return Err(Error::invalid_with_hint(
                format!("{}: {}", slash_path(&s.path), s.message()),
                s.fix(),
            ));
        }
        match matches.len() {
            1 => Ok(matches.into_iter().next().expect("one match")),
            0 => Err(Error::NotFound {
                noun: kind.noun(),
                input: input.to_string(),
                hint: Some(format!(
                    "list them with `presales {}list`",
                    match kind {
                        Kind::Request => "",
                        Kind::Solution => "solution ",
                        Kind::Article => "kb ",
                        Kind::Customer => "customer ",
                        Kind::Gap => "gap ",
                        Kind::Training => "training ",
                    }
                )),
            }),
            _ => Err(self.ambiguous(input, &matches)),
        }
    }

    /// The error for an abbreviation several records share: each candidate with its title
    /// (the first few; the error counts the rest).
    fn ambiguous(&self, input: &str, matches: &[RecordId]) -> Error {
        Error::Ambiguous {
            input: input.to_string(),
            matches: matches
                .iter()
                .enumerate()
                .map(
                    |(i, id)| match (i < 5).then(|| self.title_of(id)).flatten() {
                        Some(t) => format!("{id} ({t})"),
                        None => id.to_string(),
                    },
                )
                .collect(),
        }
    }

    /// A record's title (or a customer's name), read from its file's top-level line.
    fn title_of(&self, id: &RecordId) -> Option<String> {
        let text = fs::read_to_string(self.record_path(id).ok()?).ok()?;
        let key = if id.kind() == Kind::Customer {
            "name: "
        } else {
            "title: "
        };
        let line = text.lines().find(|l| l.starts_with(key))?;
        let v = line[key.len()..].trim();
        let v = v
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(v);
        Some(v.to_string())
    }

    /// Resolves an ID or abbreviation of any kind: a kind prefix (`SOL-`, `KB-` …) says which;
    /// otherwise every kind is searched, and one match anywhere wins (`show 9N8T98T` finds
    /// the solution whose ID ends so).
    pub fn resolve_any(&self, input: &str) -> Result<RecordId> {
        let abbrev = check_abbreviation(input).map_err(Error::invalid)?;
        if let Some(kind) = abbrev.split('-').next().and_then(Kind::from_prefix)
            && abbrev.contains('-')
        {
            return self.resolve(kind, input);
        }
        let mut matches: Vec<RecordId> = Vec::new();
        for kind in Kind::ALL {
            let listing = self.list_records(kind)?;
            matches.extend(
                listing
                    .records
                    .into_iter()
                    .map(|r| r.id)
                    .filter(|id| abbreviates(&abbrev, id.as_str())),
            );
        }
        if matches.is_empty() {
            // A record file out of its place is named, as `resolve` names it.
            for kind in Kind::ALL {
                if let Err(e @ Error::Invalid { .. }) = self.resolve(kind, input) {
                    return Err(e);
                }
            }
        }
        match matches.len() {
            0 => Err(Error::NotFound {
                noun: "record",
                input: input.to_string(),
                hint: Some(
                    "list them with `presales list`, `presales solution list`, `presales kb list` …"
                        .into(),
                ),
            }),
            1 => Ok(matches.remove(0)),
            _ => Err(self.ambiguous(input, &matches)),
        }
    }

    /// Reads one record and checks that its `id` field matches its file name.
    /// Refuses a record file or folder that is a symbolic link ([`Store::inside`]).
    pub fn load<T: Record>(&self, id: &RecordId) -> Result<T> {
        self.load_listed(&self.record_path(id)?)
            .map(|(record, _)| record)
    }

    /// A record file at any path of the store, checked by [`Store::inside`].
    pub fn load_path<T: Record>(&self, path: &Path) -> Result<T> {
        self.load_listed(&self.inside_abs(path)?)
            .map(|(record, _)| record)
    }

    /// Reports long reads to `f` from now on (a bar on a terminal, say).
    pub fn on_progress(&mut self, f: Progress) {
        self.progress = Some(f);
    }

    /// The progress hook, for reads of at least [`PROGRESS_FROM`] files.
    pub(crate) fn progress(&self, files: usize) -> Option<&Progress> {
        self.progress.as_ref().filter(|_| files >= PROGRESS_FROM)
    }

    /// A record file [`Store::list_records`] listed (so already known to be a real file in
    /// its place), with its text.
    pub(crate) fn load_listed<T: Record>(&self, path: &Path) -> Result<(T, String)> {
        let text = self.read_text(path)?;
        let record = self.parse_listed(path, &text)?;
        Ok((record, text))
    }

    /// A listed record file's text parsed: its ID must be its file name.
    pub(crate) fn parse_listed<T: Record>(&self, path: &Path, text: &str) -> Result<T> {
        let shown = self.display_path(path);
        let record: T = yaml::parse(&shown, text)?;
        let stem = path.file_stem().map(|s| s.to_string_lossy().to_string());
        if stem.as_deref() != Some(record.id()) {
            return Err(Error::Parse {
                path: shown,
                line: line_of(text, "id:"),
                column: 1,
                message: format!(
                    "id `{}` does not match the file name `{}`",
                    record.id(),
                    stem.unwrap_or_default()
                ),
                hint: Some("a record's file name is its ID; restore the id field".into()),
            });
        }
        Ok(record)
    }

    /// Reads every record of a kind. Bad files are returned as errors beside the good ones,
    /// so one broken file never hides the rest.
    pub fn load_all<T: Record + Send>(&self) -> (Vec<T>, Vec<Error>) {
        use rayon::prelude::*;
        let ids = match self.ids(T::KIND) {
            Ok(ids) => ids,
            Err(e) => return (Vec::new(), vec![e]),
        };
        // Parsing dominates; files are independent, so use every core. Order is kept.
        let results: Vec<Result<T>> = ids
            .par_iter()
            .map(|(_, path)| self.load_listed::<T>(path).map(|(r, _)| r))
            .collect();
        let mut records = Vec::with_capacity(results.len());
        let mut errors = Vec::new();
        for r in results {
            match r {
                Ok(rec) => records.push(rec),
                Err(e) => errors.push(e),
            }
        }
        (records, errors)
    }

    /// Writes a record in canonical form, atomically. The caller holds the store lock.
    /// Returns the path written, or `None` when the file already held exactly these bytes.
    pub fn save<T: Record>(&self, record: &T, lock: &StoreLock) -> Result<Option<PathBuf>> {
        let id = RecordId::parse(record.id()).map_err(Error::invalid)?;
        let path = self.record_path(&id)?;
        let text = yaml::record_text(record).map_err(|e| {
            Error::internal_from(format!("cannot write {} as YAML", record.id()), e)
        })?;
        if fs::read(&path).ok().as_deref() == Some(text.as_bytes()) {
            return Ok(None);
        }
        self.write_file(&path, text.as_bytes(), lock)?;
        Ok(Some(path))
    }

    /// Every record file of every kind, by kind then ID.
    pub fn all_record_files(&self) -> Result<Vec<(RecordId, PathBuf)>> {
        let mut out = Vec::new();
        for kind in Kind::ALL {
            out.extend(self.ids(kind)?);
        }
        Ok(out)
    }

    /// A record file's text as it is on disk and in canonical form.
    pub fn canonical_text(&self, id: &RecordId, path: &Path) -> Result<(String, String)> {
        fn canon<T: Record>(store: &Store, path: &Path) -> Result<String> {
            let rec: T = store.load_path(path)?;
            yaml::record_text(&rec)
        }
        let text = self.read_text(path)?;
        let canonical = match id.kind() {
            Kind::Request => canon::<crate::model::Request>(self, path)?,
            Kind::Solution => canon::<crate::model::Solution>(self, path)?,
            Kind::Customer => canon::<crate::model::Customer>(self, path)?,
            Kind::Article => canon::<crate::model::Article>(self, path)?,
            Kind::Gap => canon::<crate::model::Gap>(self, path)?,
            Kind::Training => canon::<crate::model::Training>(self, path)?,
        };
        Ok((text, canonical))
    }

    /// Rewrites a record file with new text (used by `fmt`). The caller holds the lock.
    pub fn write_text(&self, path: &Path, text: &str, lock: &StoreLock) -> Result<()> {
        self.write_file(path, text.as_bytes(), lock)
    }

    /// Mints an ID not used in this checkout. Other branches are covered by the randomness.
    pub fn mint(&self, kind: Kind, now: Timestamp) -> Result<RecordId> {
        for _ in 0..16 {
            let mut bytes = [0u8; 4];
            getrandom::fill(&mut bytes)
                .map_err(|e| Error::internal_from("no randomness for a new ID", e))?;
            let id = RecordId::mint(kind, now, u32::from_le_bytes(bytes));
            if fs::symlink_metadata(self.path_of(&id)).is_err() {
                return Ok(id);
            }
        }
        Err(Error::internal("could not mint a free ID after 16 tries"))
    }

    /// Takes the store-wide write lock; held until the guard drops. Every write goes through
    /// here, so this is where a store of a newer format, or one whose presales.toml has
    /// problems, is refused.
    pub fn lock(&self) -> Result<StoreLock> {
        self.format.ensure_understood("write to")?;
        if let Some(first) = config::problems_summary(&self.config_problems) {
            return Err(Error::Config {
                message: format!("{first}; nothing is written until presales.toml is fixed"),
                hint: Some(
                    "fix presales.toml by hand; `presales check` lists every problem".into(),
                ),
            });
        }
        // Never through a link: a committed `.presales` link would take the lock, and the
        // drafts and caches beside it, anywhere.
        let dir = self.inside(Path::new(CACHE_DIR))?;
        self.inside(&Path::new(CACHE_DIR).join("lock"))?;
        let lock = StoreLock::acquire(&dir)?;
        // Under the lock no other write runs: every temp file in the folders a killed
        // writer noted is its own.
        if !lock.left_over().is_empty() {
            self.sweep_temp_files(lock.left_over());
            lock.clear()?;
        }
        Ok(lock)
    }

    /// Edits presales.toml keeping its comments and layout; returns the config as it is
    /// now (this `Store` keeps the one it was opened with).
    pub fn edit_config(
        &self,
        lock: &StoreLock,
        edit: impl FnOnce(&mut toml_edit::DocumentMut) -> Result<()>,
    ) -> Result<Config> {
        let path = self.config_path();
        let text = fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
            let (line, column) = span_position(&text, e.span());
            Error::Parse {
                path: path.clone(),
                line,
                column,
                message: e.message().to_string(),
                hint: None,
            }
        })?;
        edit(&mut doc)?;
        let new_text = doc.to_string();
        let config = Config::parse(&new_text).map_err(|e| toml_error(&path, &new_text, &e))?;
        // The lock was given to a file without problems: an edit may not bring one.
        if let Some(p) = config.problems(&new_text).first() {
            return Err(Error::invalid(format!(
                "refused: presales.toml would have a problem: {}",
                p.message
            )));
        }
        self.write_file(&path, new_text.as_bytes(), lock)?;
        Ok(config)
    }

    /// The store's `.gitattributes` text ("" when there is none).
    pub fn read_gitattributes(&self) -> Result<String> {
        let path = self.root.join(".gitattributes");
        match fs::read_to_string(&path) {
            Ok(t) => Ok(t),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
            Err(e) => Err(Error::io(path, e)),
        }
    }

    /// Replaces the store's `.gitattributes`; returns its path. The caller holds the lock.
    pub fn write_gitattributes(&self, text: &str, lock: &StoreLock) -> Result<PathBuf> {
        let path = self.root.join(".gitattributes");
        self.write_file(&path, text.as_bytes(), lock)?;
        Ok(path)
    }

    /// The store's `.gitignore` text ("" when there is none).
    pub fn read_gitignore(&self) -> Result<String> {
        let path = self.root.join(".gitignore");
        match fs::read_to_string(&path) {
            Ok(t) => Ok(t),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
            Err(e) => Err(Error::io(path, e)),
        }
    }

    /// Replaces the store's `.gitignore`; returns its path. The caller holds the lock.
    pub fn write_gitignore(&self, text: &str, lock: &StoreLock) -> Result<PathBuf> {
        let path = self.root.join(".gitignore");
        self.write_file(&path, text.as_bytes(), lock)?;
        Ok(path)
    }

    /// Ensures `.presales/` exists and returns the path of `name` inside it; refuses a link
    /// on the way ([`Store::inside`]).
    pub fn cache_path(&self, name: &str) -> Result<PathBuf> {
        let path = self.inside(&Path::new(CACHE_DIR).join(name))?;
        let dir = self.root.join(CACHE_DIR);
        fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        Ok(path)
    }
}

/// 64 random bits from the OS.
fn random_u64() -> Result<u64> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes)
        .map_err(|e| Error::internal_from("no randomness for a new id", e))?;
    Ok(u64::from_le_bytes(bytes))
}

/// A new operation id: the entries one command writes, in every record, share it.
pub fn mint_op() -> Result<String> {
    Ok(crate::model::id::code(random_u64()?, 10))
}

/// A new id for an item inside a record (a demo, a feedback item, a review verdict): random,
/// so two branches never pick the same one.
pub fn mint_item() -> Result<String> {
    Ok(crate::model::id::code(random_u64()?, 8))
}

/// Writes `bytes` to `path` via a temp file in the same folder, fsync and rename, so a
/// crash leaves either the old file or the new one, never a truncated one.
///
/// Refuses a target that is a symbolic link: the rename would replace the link, and a write
/// that follows it would land wherever it points. Writes of the store go through
/// [`Store::write_file`], which also refuses links among the folders on the way.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// [`write_atomic`] for content written piece by piece (`write` fills the temporary file,
/// unbuffered: a writer of many small pieces brings its own buffer), so that a file of
/// hundreds of megabytes never has to be held whole in memory first.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<()> {
    replace(path, write, true)
}

/// [`write_atomic`] for a log the store keeps for itself and could lose (the search log):
/// replaced by a rename all the same, so a crash of presales leaves the old file or the new
/// one, but not flushed to disk, which would cost more than the rest of the write. A power
/// cut may leave it as it was before, or empty; both read as a log with less in it.
pub fn write_unflushed(path: &Path, bytes: &[u8]) -> Result<()> {
    replace(path, |w| w.write_all(bytes), false)
}

fn replace(
    path: &Path,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
    flush: bool,
) -> Result<()> {
    if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(Error::invalid_with_hint(
            format!(
                "{} is a symbolic link; presales never writes through a link",
                path.display()
            ),
            "replace the link with the file itself",
        ));
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".presales-tmp-")
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    write(tmp.as_file_mut()).map_err(|e| Error::io(path, e))?;
    // tempfile creates files 0600; records are shared, so keep the target's mode or use
    // the usual 0644 for a new file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(path).map_or(0o644, |m| m.permissions().mode() & 0o7777);
        tmp.as_file()
            .set_permissions(fs::Permissions::from_mode(mode))
            .map_err(|e| Error::io(path, e))?;
    }
    if flush {
        tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    }
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    // Make the rename itself durable; best effort where folders cannot be opened.
    if flush && let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

fn toml_error(path: &Path, text: &str, e: &toml::de::Error) -> Error {
    let (line, column) = e.span().map_or((1, 1), |s| span_position(text, Some(s)));
    Error::Parse {
        path: path.to_path_buf(),
        line,
        column,
        message: e.message().trim().to_string(),
        hint: Some("see docs/file-formats.md for the shape of presales.toml".into()),
    }
}

fn span_position(text: &str, span: Option<std::ops::Range<usize>>) -> (u64, u64) {
    let Some(span) = span else { return (1, 1) };
    let before = &text[..span.start.min(text.len())];
    let line = before.matches('\n').count() as u64 + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u64 + 1;
    (line, column)
}

fn line_of(text: &str, prefix: &str) -> u64 {
    text.lines()
        .position(|l| l.starts_with(prefix))
        .map_or(1, |i| i as u64 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gitattributes_of_an_older_store_gain_eol_lf_in_place() {
        let old = "*.png binary\n# presales: merge records field by field; history from both sides is kept\nrequests/**/*.yaml merge=presales\nsolutions/**/*.yaml merge=presales\nkb/**/*.yaml merge=presales\ncustomers/*.yaml merge=presales\n";
        let new = updated_gitattributes(old).unwrap();
        assert!(new.starts_with("*.png binary\n"), "{new}");
        assert!(new.contains("requests/**/*.yaml merge=presales text eol=lf\n"));
        assert!(new.contains("customers/**/*.yaml merge=presales text eol=lf\n"));
        assert!(!new.contains("customers/*.yaml merge=presales\n"), "{new}");
        assert!(new.contains("/presales.toml text eol=lf\n"));
        // Each pattern once, and a second pass changes nothing.
        assert_eq!(new.matches("requests/").count(), 1, "{new}");
        assert_eq!(updated_gitattributes(&new), None);
    }

    /// Flushed or not, a file is replaced whole, keeps its mode, leaves no temporary file
    /// behind, and a link is never written through.
    #[cfg(unix)]
    #[test]
    fn files_are_replaced_whole_flushed_or_not_and_never_through_a_link() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.json");
        write_unflushed(&path, b"{\"old\": true}").unwrap();
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o644
        );
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        write_unflushed(&path, b"{}").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"{}");
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        write_atomic(&path, b"[1]").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"[1]");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names, ["log.json"]);

        let outside = tempfile::tempdir().unwrap();
        let target = outside.path().join("passwd");
        fs::write(&target, "root:x:0:0").unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        for write in [write_unflushed, write_atomic] {
            let err = write(&link, b"{}").unwrap_err().to_string();
            assert!(err.contains("symbolic link"), "{err}");
        }
        assert_eq!(fs::read_to_string(&target).unwrap(), "root:x:0:0");
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }

    #[test]
    fn gitattributes_are_written_whole_for_a_new_store() {
        let new = updated_gitattributes("").unwrap();
        for line in gitattributes_lines() {
            assert!(new.contains(&format!("{line}\n")), "{new}");
        }
        assert_eq!(updated_gitattributes(&new), None);
    }
}
