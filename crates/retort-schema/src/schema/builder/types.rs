//! Type names as PostgreSQL's `format_type` prints them, from the spellings SQL accepts.

use super::names::quote_qualified;
use super::BuildError;
use crate::schema::QualName;

/// A column (or argument, or return) type in its canonical form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlType {
    /// `format_type(typid, typmod)`: `character varying(255)`, `public.tier[]`.
    pub name: String,
    /// `format_type(typid, -1)`: the cast PostgreSQL prints after a literal of this type
    /// (`'x'::character varying`, `'a'::public.tier`, `'{}'::text[]`).
    pub label: String,
    /// The base type's name without typmod or array brackets, lower-case
    /// (`character varying`, `numeric`, `jsonb`; a user type's qualified name).
    pub base: String,
    pub array: bool,
    /// A type of the schema being built (or of an extension): an enum, domain, composite...
    pub user_type: Option<QualName>,
}

/// Types that must be named with their typmod form, and those without a typmod.
const PLAIN: &[&str] = &[
    "text",
    "uuid",
    "json",
    "jsonb",
    "bytea",
    "date",
    "inet",
    "cidr",
    "macaddr",
    "macaddr8",
    "money",
    "xml",
    "tsvector",
    "tsquery",
    "oid",
    "point",
    "line",
    "lseg",
    "box",
    "path",
    "polygon",
    "circle",
    "int4range",
    "int8range",
    "numrange",
    "tsrange",
    "tstzrange",
    "daterange",
    "int4multirange",
    "int8multirange",
    "nummultirange",
    "tsmultirange",
    "tstzmultirange",
    "datemultirange",
    "pg_lsn",
    "regclass",
    "regproc",
    "regprocedure",
    "regtype",
    "regrole",
    "regnamespace",
    "regconfig",
    "name",
    "void",
    "trigger",
    "record",
    "event_trigger",
    "anyelement",
    "anyarray",
    "anyenum",
    "anynonarray",
    "anycompatible",
    "internal",
    "cstring",
    "txid_snapshot",
    "pg_snapshot",
    "xid",
    "xid8",
    "cid",
    "tid",
];

/// Split `input` into its base spelling, its parenthesised modifiers and what follows them.
fn split_modifiers(input: &str) -> (String, Option<String>, String) {
    match input.find('(') {
        Some(open) => match input[open..].find(')') {
            Some(close) => (
                input[..open].trim().to_string(),
                Some(input[open + 1..open + close].replace(' ', "")),
                input[open + close + 1..].trim().to_string(),
            ),
            None => (input.to_string(), None, String::new()),
        },
        None => (input.to_string(), None, String::new()),
    }
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Parse a (maybe qualified, maybe quoted) type name of a user type.
fn user_type_name(input: &str, default_schema: &str) -> Option<QualName> {
    let mut parts = Vec::new();
    let mut rest = input.trim();
    loop {
        if let Some(r) = rest.strip_prefix('"') {
            let mut out = String::new();
            let mut r = r;
            loop {
                let end = r.find('"')?;
                out.push_str(&r[..end]);
                r = &r[end + 1..];
                if let Some(rr) = r.strip_prefix('"') {
                    out.push('"');
                    r = rr;
                } else {
                    break;
                }
            }
            parts.push(out);
            rest = r;
        } else {
            let end = rest.find('.').unwrap_or(rest.len());
            let part = rest[..end].trim();
            if part.is_empty()
                || !part
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
            {
                return None;
            }
            parts.push(part.to_lowercase());
            rest = &rest[end..];
        }
        match rest.strip_prefix('.') {
            Some(r) => rest = r,
            None if rest.trim().is_empty() => break,
            None => return None,
        }
    }
    match parts.as_slice() {
        [name] => Some(QualName::new(default_schema, name.clone())),
        [schema, name] => Some(QualName::new(schema.clone(), name.clone())),
        _ => None,
    }
}

impl SqlType {
    /// `format_type(typid, NULL)`, as function arguments and results print (typmods dropped;
    /// `character` where a literal's cast says `bpchar`).
    pub fn without_typmod(&self) -> String {
        match self.label.strip_prefix("bpchar") {
            Some(rest) => format!("character{rest}"),
            None => self.label.clone(),
        }
    }

    /// Canonicalise a type as SQL spells it (`varchar(255)`, `int`, `timestamptz`, `decimal(10,
    /// 2)`, `tier`, `public.tier[]`). An unqualified name that is not a built-in type is a user
    /// type in `default_schema`. `serial` types are refused: they are a sequence and a default,
    /// not a type (use an identity column).
    // Long: one match over PostgreSQL's type spellings, kept together as its grammar is.
    pub fn parse(input: &str, default_schema: &str) -> Result<Self, BuildError> {
        let bad = |why: &str| BuildError::Type {
            input: input.to_string(),
            why: why.to_string(),
        };
        let mut text = input.trim().to_string();
        let mut array = false;
        while let Some(stripped) = text.strip_suffix(']') {
            let open = stripped.rfind('[').ok_or_else(|| bad("unbalanced []"))?;
            text = stripped[..open].trim_end().to_string();
            array = true;
        }
        if let Some(stripped) = text.strip_suffix(" ARRAY").or(text.strip_suffix(" array")) {
            text = stripped.trim_end().to_string();
            array = true;
        }
        let lower = collapse(&text.to_lowercase());
        let (base, modifiers, tail) = split_modifiers(&lower);
        let (mut base, mut tail) = (collapse(&base), collapse(&tail));
        for word in ["timestamp", "time"] {
            if let Some(zone) = base.strip_prefix(word).and_then(|r| r.strip_prefix(' ')) {
                if tail.is_empty() {
                    tail = zone.to_string();
                    base = word.to_string();
                }
            }
        }
        let mods: Vec<String> = modifiers
            .as_deref()
            .map(|m| m.split(',').map(str::to_string).collect())
            .unwrap_or_default();
        let number = |s: &String| -> Result<u32, BuildError> {
            s.parse::<u32>()
                .map_err(|_| bad("a type modifier is not a number"))
        };
        let one_mod = |mods: &[String]| -> Result<Option<u32>, BuildError> {
            match mods {
                [] => Ok(None),
                [m] => number(m).map(Some),
                _ => Err(bad("too many type modifiers")),
            }
        };
        let with_tz = |tail: &str, default: bool| -> Result<bool, BuildError> {
            match tail {
                "" => Ok(default),
                "with time zone" => Ok(true),
                "without time zone" => Ok(false),
                _ => Err(bad("expected `with time zone` or `without time zone`")),
            }
        };
        let need_no_tail = |tail: &str| -> Result<(), BuildError> {
            if tail.is_empty() {
                Ok(())
            } else {
                Err(bad("unexpected words after the type"))
            }
        };
        let (name, label, canonical_base): (String, String, String) = match base.as_str() {
            "int" | "int4" | "integer" => fixed("integer"),
            "int2" | "smallint" => fixed("smallint"),
            "int8" | "bigint" => fixed("bigint"),
            "float4" | "real" => fixed("real"),
            "float8" | "double precision" => fixed("double precision"),
            "float" => match one_mod(&mods)? {
                Some(p) if (1..=24).contains(&p) => fixed("real"),
                Some(p) if (25..=53).contains(&p) => fixed("double precision"),
                Some(_) => return Err(bad("float precision must be 1 to 53")),
                None => fixed("double precision"),
            },
            "bool" | "boolean" => fixed("boolean"),
            "serial" | "serial4" | "bigserial" | "serial8" | "smallserial" | "serial2" => {
                return Err(bad(
                    "serial is a sequence and a default, not a type: use an identity column",
                ))
            }
            "varchar" | "character varying" | "char varying" => {
                typmod("character varying", one_mod(&mods)?.map(|n| n.to_string()))
            }
            "char" | "character" => {
                let n = one_mod(&mods)?.unwrap_or(1);
                (
                    format!("character({n})"),
                    "bpchar".to_string(),
                    "character".to_string(),
                )
            }
            "bpchar" => {
                let (name, _, _) = typmod("character", one_mod(&mods)?.map(|n| n.to_string()));
                let name = if mods.is_empty() {
                    "bpchar".to_string()
                } else {
                    name
                };
                (name, "bpchar".to_string(), "character".to_string())
            }
            "numeric" | "decimal" | "dec" => match mods.as_slice() {
                [] => fixed("numeric"),
                [p] => typmod("numeric", Some(format!("{},0", number(p)?))),
                [p, s] => typmod("numeric", Some(format!("{},{}", number(p)?, number(s)?))),
                _ => return Err(bad("numeric takes precision and scale")),
            },
            "timestamp" | "timestamptz" => {
                let tz = with_tz(&tail, base == "timestamptz")?;
                time_type("timestamp", one_mod(&mods)?, tz)
            }
            "time" | "timetz" => {
                let tz = with_tz(&tail, base == "timetz")?;
                time_type("time", one_mod(&mods)?, tz)
            }
            "interval" => {
                need_no_tail(&tail)?;
                typmod("interval", one_mod(&mods)?.map(|n| n.to_string()))
            }
            "bit" => {
                let n = one_mod(&mods)?.unwrap_or(1);
                (format!("bit({n})"), "bit".to_string(), "bit".to_string())
            }
            "varbit" | "bit varying" => {
                typmod("bit varying", one_mod(&mods)?.map(|n| n.to_string()))
            }
            plain if PLAIN.contains(&plain) => {
                need_no_tail(&tail)?;
                if modifiers.is_some() {
                    return Err(bad("this type takes no modifier"));
                }
                fixed(plain)
            }
            _ => {
                if !tail.is_empty() {
                    return Err(bad("unknown type"));
                }
                // Keep the original case of quoted parts.
                let original = text.trim();
                let (orig_base, orig_mods, _) = split_modifiers(original);
                if orig_mods.is_some() {
                    return Err(bad("modifiers of user types are not supported"));
                }
                let qn = user_type_name(&orig_base, default_schema)
                    .ok_or_else(|| bad("not a type name"))?;
                let printed = quote_qualified(&qn.schema, &qn.name);
                let mut t = SqlType {
                    name: printed.clone(),
                    label: printed.clone(),
                    base: printed,
                    array,
                    user_type: Some(qn),
                };
                if array {
                    t.name.push_str("[]");
                    t.label.push_str("[]");
                }
                return Ok(t);
            }
        };
        if !tail.is_empty()
            && !matches!(
                base.as_str(),
                "timestamp" | "timestamptz" | "time" | "timetz"
            )
        {
            return Err(bad("unexpected words after the type"));
        }
        let (mut name, mut label) = (name, label);
        if array {
            name.push_str("[]");
            label.push_str("[]");
        }
        Ok(SqlType {
            name,
            label,
            base: canonical_base,
            array,
            user_type: None,
        })
    }
}

fn fixed(name: &str) -> (String, String, String) {
    (name.to_string(), name.to_string(), name.to_string())
}

fn typmod(base: &str, modifier: Option<String>) -> (String, String, String) {
    match modifier {
        Some(m) => (format!("{base}({m})"), base.to_string(), base.to_string()),
        None => fixed(base),
    }
}

fn time_type(base: &str, precision: Option<u32>, tz: bool) -> (String, String, String) {
    let zone = if tz {
        "with time zone"
    } else {
        "without time zone"
    };
    let label = format!("{base} {zone}");
    let name = match precision {
        Some(p) => format!("{base}({p}) {zone}"),
        None => label.clone(),
    };
    (name, label.clone(), label)
}

#[cfg(test)]
mod tests {
    use super::SqlType;

    fn t(input: &str) -> String {
        SqlType::parse(input, "public").expect(input).name
    }

    #[test]
    fn spellings_become_format_type() {
        // Each pair as seen in format_type on PostgreSQL 15.
        for (input, printed) in [
            ("int", "integer"),
            ("INT8", "bigint"),
            ("varchar(255)", "character varying(255)"),
            ("varchar", "character varying"),
            ("char", "character(1)"),
            ("char(2)", "character(2)"),
            ("decimal(10, 2)", "numeric(10,2)"),
            ("decimal(5)", "numeric(5,0)"),
            ("float(10)", "real"),
            ("float", "double precision"),
            ("timestamptz", "timestamp with time zone"),
            ("timestamp", "timestamp without time zone"),
            ("timestamp with time zone", "timestamp with time zone"),
            ("TIME WITHOUT TIME ZONE", "time without time zone"),
            ("timestamp(3)", "timestamp(3) without time zone"),
            ("time(2) with time zone", "time(2) with time zone"),
            ("varbit(4)", "bit varying(4)"),
            ("bit(3)", "bit(3)"),
            ("text[]", "text[]"),
            ("int[][]", "integer[]"),
            ("tier", "public.tier"),
            ("app.\"My Type\"[]", "app.\"My Type\"[]"),
            ("public.user", "public.\"user\""),
        ] {
            assert_eq!(t(input), printed, "{input}");
        }
        assert_eq!(
            SqlType::parse("char(2)", "public").expect("char").label,
            "bpchar"
        );
        assert!(SqlType::parse("serial", "public").is_err());
        assert!(SqlType::parse("text(3)", "public").is_err());
    }
}
