//! Record IDs: minting (offline, branch-safe, time-sortable), parsing and the record kinds.

use std::fmt;

use chrono::{DateTime, Datelike, FixedOffset, Timelike};

/// Crockford's base32 alphabet: no I, L, O or U, so IDs read aloud and typed by hand survive.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Whether `b` is one of [`ALPHABET`]'s (upper-case) characters: a test of ranges, not a
/// search of the alphabet (every listing parses every file name it meets).
fn is_base32(b: u8) -> bool {
    matches!(b, b'0'..=b'9' | b'A'..=b'H' | b'J' | b'K' | b'M' | b'N' | b'P'..=b'T' | b'V'..=b'Z')
}

/// Number of random characters after the hour character (6 × 5 bits = 30 bits).
const RANDOM_CHARS: usize = 6;

/// `chars` characters of Crockford base32 from the low bits of `random`: the ids of
/// operations and of the items inside a record (demos, feedback items, verdicts).
pub fn code(random: u64, chars: usize) -> String {
    (0..chars.min(12))
        .rev()
        .map(|i| ALPHABET[((random >> (i * 5)) & 0x1f) as usize] as char)
        .collect()
}

/// The kinds of record the store holds; each has its own ID prefix and folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Request,
    Solution,
    Article,
    Customer,
    Gap,
    Training,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Request,
        Kind::Solution,
        Kind::Article,
        Kind::Customer,
        Kind::Gap,
        Kind::Training,
    ];

    pub fn prefix(self) -> &'static str {
        match self {
            Kind::Request => "REQ",
            Kind::Solution => "SOL",
            Kind::Article => "KB",
            Kind::Customer => "CUS",
            Kind::Gap => "GAP",
            Kind::Training => "TRN",
        }
    }

    /// The folder under the store root that holds records of this kind.
    pub fn dir(self) -> &'static str {
        match self {
            Kind::Request => "requests",
            Kind::Solution => "solutions",
            Kind::Article => "kb",
            Kind::Customer => "customers",
            Kind::Gap => "gaps",
            Kind::Training => "trainings",
        }
    }

    /// Whether files are split into per-year folders (customers are few and long-lived).
    pub fn by_year(self) -> bool {
        !matches!(self, Kind::Customer)
    }

    pub fn noun(self) -> &'static str {
        match self {
            Kind::Request => "request",
            Kind::Solution => "solution",
            Kind::Article => "article",
            Kind::Customer => "customer",
            Kind::Gap => "gap",
            Kind::Training => "training",
        }
    }

    pub fn from_prefix(prefix: &str) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.prefix().eq_ignore_ascii_case(prefix))
    }
}

/// A validated record ID such as `REQ-20261127-A7KQ2MX`.
///
/// Shape: `PREFIX-YYYYMMDD-HRRRRRR` where `H` is the hour of creation in base32 and `R` are
/// 30 random bits. The date and hour make IDs sort by creation time; the random part makes
/// two branches minting IDs at the same moment collide with odds of about one in a billion
/// per pair, with no coordination (no "max + 1").
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordId {
    text: String,
    kind: Kind,
    year: i32,
}

impl RecordId {
    /// Mints a new ID for `kind` at `now` from 30 bits of `random`.
    pub fn mint(kind: Kind, now: DateTime<FixedOffset>, random: u32) -> RecordId {
        let mut text = format!(
            "{}-{:04}{:02}{:02}-",
            kind.prefix(),
            now.year(),
            now.month(),
            now.day()
        );
        text.push(ALPHABET[now.hour() as usize] as char);
        for i in (0..RANDOM_CHARS).rev() {
            let bits = (random >> (i * 5)) & 0x1f;
            text.push(ALPHABET[bits as usize] as char);
        }
        RecordId {
            text,
            kind,
            year: now.year(),
        }
    }

    /// Parses a full ID; case-insensitive, returned upper-case.
    pub fn parse(input: &str) -> Result<RecordId, String> {
        let upper = input.trim().to_ascii_uppercase();
        let mut parts = upper.splitn(3, '-');
        let (Some(prefix), Some(date), Some(rest)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(format!(
                "`{input}` is not a record ID (expected e.g. REQ-20261127-A7KQ2MX)"
            ));
        };
        let kind = Kind::from_prefix(prefix).ok_or_else(|| {
            format!(
                "`{input}` has an unknown prefix `{prefix}` (expected REQ, SOL, KB, CUS, GAP or TRN)"
            )
        })?;
        if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("`{input}` has no YYYYMMDD date after its prefix"));
        }
        let year: i32 = date[..4]
            .parse()
            .map_err(|_| format!("`{input}` has an invalid year"))?;
        let month: u32 = date[4..6].parse().unwrap_or(0);
        let day: u32 = date[6..8].parse().unwrap_or(0);
        if chrono::NaiveDate::from_ymd_opt(year, month, day).is_none() {
            return Err(format!("`{input}` has an invalid date `{date}`"));
        }
        if rest.len() != RANDOM_CHARS + 1 || !rest.bytes().all(is_base32) {
            return Err(format!(
                "`{input}` must end in {} base32 characters (0-9, A-Z without I, L, O, U)",
                RANDOM_CHARS + 1
            ));
        }
        Ok(RecordId {
            text: upper,
            kind,
            year,
        })
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    pub fn year(&self) -> i32 {
        self.year
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The ID's text, without a copy.
    pub fn into_string(self) -> String {
        self.text
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Checks that user input meant as an ID or abbreviation cannot escape the store.
pub fn check_abbreviation(input: &str) -> Result<String, String> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err("an empty ID was given".into());
    }
    if trimmed.contains('/') || trimmed.contains('\\') || trimmed.contains("..") {
        return Err(format!(
            "`{input}` is not an ID: IDs never contain `/`, `\\` or `..`"
        ));
    }
    if !trimmed
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(format!(
            "`{input}` is not an ID: IDs hold only letters, digits and `-`"
        ));
    }
    Ok(trimmed.to_ascii_uppercase())
}

/// Whether `abbrev` (already upper-case) designates `id`: the whole ID, a prefix, or a suffix.
pub fn abbreviates(abbrev: &str, id: &str) -> bool {
    id == abbrev || id.starts_with(abbrev) || id.ends_with(abbrev)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_base32_test_accepts_the_alphabet_and_nothing_else() {
        for b in 0..=u8::MAX {
            assert_eq!(
                is_base32(b),
                ALPHABET.contains(&b),
                "byte {b} ({:?})",
                b as char
            );
        }
    }

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    #[test]
    fn minted_ids_are_short_typed_and_parse_back() {
        let id = RecordId::mint(Kind::Request, at("2026-11-27T10:15:00+08:00"), 0x3fff_ffff);
        assert_eq!(id.as_str(), "REQ-20261127-AZZZZZZ");
        assert!(id.as_str().len() <= 20);
        assert_eq!(RecordId::parse(id.as_str()).unwrap(), id);
        assert_eq!(RecordId::parse("req-20261127-azzzzzz").unwrap(), id);
        assert_eq!(id.year(), 2026);
        let gap = RecordId::mint(Kind::Gap, at("2026-11-27T10:15:00+08:00"), 0);
        assert_eq!(gap.as_str(), "GAP-20261127-A000000");
        assert_eq!(
            RecordId::parse("gap-20261127-a000000").unwrap().kind(),
            Kind::Gap
        );
        let kb = RecordId::mint(Kind::Article, at("2026-01-02T00:00:00+00:00"), 1);
        assert_eq!(kb.as_str(), "KB-20260102-0000001");
    }

    #[test]
    fn ids_sort_by_creation_time() {
        let a = RecordId::mint(Kind::Request, at("2026-11-27T09:00:00+08:00"), 0x3fff_ffff);
        let b = RecordId::mint(Kind::Request, at("2026-11-27T10:00:00+08:00"), 0);
        let c = RecordId::mint(Kind::Request, at("2026-11-28T00:00:00+08:00"), 0);
        assert!(a < b && b < c);
    }

    #[test]
    fn parse_rejects_malformed_ids() {
        for bad in [
            "",
            "REQ",
            "XYZ-20261127-AAAAAAA",
            "REQ-2026112-AAAAAAA",
            "REQ-20261327-AAAAAAA",
            "REQ-20261127-AAAA",
            "REQ-20261127-AAAAAAI",
        ] {
            assert!(RecordId::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn abbreviations_cannot_escape_the_store() {
        assert!(check_abbreviation("../etc/passwd").is_err());
        assert!(check_abbreviation("REQ/..").is_err());
        assert!(check_abbreviation("a b").is_err());
        assert_eq!(check_abbreviation(" 7kq2m ").unwrap(), "7KQ2M");
    }

    #[test]
    fn abbreviation_matches_prefix_suffix_or_whole() {
        let id = "REQ-20261127-A7KQ2MX";
        assert!(abbreviates("REQ-20261127-A7KQ2MX", id));
        assert!(abbreviates("REQ-20261127-A7", id));
        assert!(abbreviates("KQ2MX", id));
        assert!(!abbreviates("KQ2M", id));
    }
}
