//! Default expressions as `pg_get_expr` prints them, from the usual ways of writing them.
//!
//! Canonicalised: a quoted literal (cast to the column's type as PostgreSQL prints it, `jsonb`
//! normalised as `jsonb_out` does, `uuid` lower-cased, `boolean` and `integer` bare), integer
//! and decimal numbers (negative ones quoted and cast, as PostgreSQL prints them), `true`,
//! `false`, `NULL` (no default), and the SQL value functions (`current_timestamp` →
//! `CURRENT_TIMESTAMP`). Anything else is kept as written: write it as PostgreSQL prints it
//! (functions outside `pg_catalog` qualified: `public.uuid_generate_v4()`; casts as
//! `'x'::text`; operators parenthesised).

use super::types::SqlType;
use crate::sql::quote_literal;

/// The SQL value functions, which `pg_get_expr` prints in upper case.
const VALUE_FUNCTIONS: &[&str] = &[
    "current_date",
    "current_time",
    "current_timestamp",
    "localtime",
    "localtimestamp",
    "current_role",
    "current_user",
    "session_user",
    "user",
    "current_catalog",
    "current_schema",
];

fn is_integer(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

fn is_decimal(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    digits.contains('.')
        && !(int.is_empty() && frac.is_empty())
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

/// The single SQL string literal `'...'` that is all of `s`, unescaped.
fn string_literal(s: &str) -> Option<String> {
    let inner = s.strip_prefix('\'')?.strip_suffix('\'')?;
    let mut out = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' && chars.next() != Some('\'') {
            return None;
        }
        out.push(c);
    }
    Some(out)
}

/// An integer constant: bare when a positive `integer`, else quoted and cast.
fn integer_constant(value: &str) -> String {
    match value.parse::<i32>() {
        Ok(v) if v >= 0 => v.to_string(),
        Ok(v) => format!("'{v}'::integer"),
        Err(_) => format!("'{value}'::bigint"),
    }
}

/// The default of a column of type `ty`, as `pg_get_expr` prints it; `None` for `NULL`.
pub fn canonical_default(raw: &str, ty: &SqlType) -> Option<String> {
    let s = raw.trim();
    let lower = s.to_lowercase();
    if lower == "null" {
        return None;
    }
    if lower == "true" || lower == "false" {
        return Some(lower);
    }
    if VALUE_FUNCTIONS.contains(&lower.as_str()) {
        return Some(lower.to_uppercase());
    }
    if is_integer(s) {
        return Some(integer_constant(s));
    }
    if is_decimal(s) {
        return Some(if s.starts_with('-') {
            format!("'{s}'::numeric")
        } else {
            s.to_string()
        });
    }
    if let Some(value) = string_literal(s) {
        return Some(literal_of_type(&value, ty));
    }
    Some(s.to_string())
}

/// A string literal given for a column of type `ty`, as the constant PostgreSQL makes of it.
fn literal_of_type(value: &str, ty: &SqlType) -> String {
    let cast = |v: &str| format!("{}::{}", quote_literal(v), ty.label);
    if ty.array {
        return cast(value);
    }
    match ty.base.as_str() {
        "boolean" => match value.trim().to_lowercase().as_str() {
            "t" | "true" | "y" | "yes" | "on" | "1" => "true".to_string(),
            "f" | "false" | "n" | "no" | "off" | "0" => "false".to_string(),
            _ => cast(value),
        },
        "integer" if is_integer(value.trim()) => integer_constant(value.trim()),
        "smallint" | "bigint" if is_integer(value.trim()) => cast(value.trim()),
        "numeric" if is_decimal(value.trim()) && !value.trim().starts_with('-') => {
            value.trim().to_string()
        }
        "jsonb" => match jsonb_text(value) {
            Some(j) => cast(&j),
            None => cast(value),
        },
        "uuid" => cast(&uuid_text(value).unwrap_or_else(|| value.to_string())),
        _ => cast(value),
    }
}

/// A UUID as `uuid_out` prints it (lower-case, hyphenated), from the forms `uuid_in` reads.
fn uuid_text(value: &str) -> Option<String> {
    let v = value.trim();
    let v = v
        .strip_prefix('{')
        .and_then(|x| x.strip_suffix('}'))
        .unwrap_or(v);
    let hex: String = v.chars().filter(|c| *c != '-').collect();
    if hex.len() != 32 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let h = hex.to_lowercase();
    Some(format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    ))
}

/// A JSON document as `jsonb_out` prints it: object keys by length then bytes (the last of
/// duplicates kept), `", "` and `": "` separators, numbers as `numeric_out` prints them.
/// `None` when the text is not JSON.
pub fn jsonb_text(json: &str) -> Option<String> {
    let mut p = Parser {
        s: json.as_bytes(),
        i: 0,
    };
    let value = p.value()?;
    p.ws();
    if p.i != p.s.len() {
        return None;
    }
    let mut out = String::new();
    write_json(&value, &mut out);
    Some(out)
}

enum Json {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn eat(&mut self, word: &str) -> bool {
        if self.s[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            true
        } else {
            false
        }
    }

    fn value(&mut self) -> Option<Json> {
        self.ws();
        match *self.s.get(self.i)? {
            b'n' if self.eat("null") => Some(Json::Null),
            b't' if self.eat("true") => Some(Json::Bool(true)),
            b'f' if self.eat("false") => Some(Json::Bool(false)),
            b'"' => self.string().map(Json::String),
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.eat("]") {
                    return Some(Json::Array(items));
                }
                loop {
                    items.push(self.value()?);
                    self.ws();
                    if self.eat("]") {
                        return Some(Json::Array(items));
                    }
                    if !self.eat(",") {
                        return None;
                    }
                }
            }
            b'{' => {
                self.i += 1;
                let mut fields: Vec<(String, Json)> = Vec::new();
                self.ws();
                if self.eat("}") {
                    return Some(Json::Object(fields));
                }
                loop {
                    self.ws();
                    let key = self.string()?;
                    self.ws();
                    if !self.eat(":") {
                        return None;
                    }
                    let v = self.value()?;
                    fields.retain(|(k, _)| *k != key);
                    fields.push((key, v));
                    self.ws();
                    if self.eat("}") {
                        fields.sort_by(|(a, _), (b, _)| {
                            a.len()
                                .cmp(&b.len())
                                .then_with(|| a.as_bytes().cmp(b.as_bytes()))
                        });
                        return Some(Json::Object(fields));
                    }
                    if !self.eat(",") {
                        return None;
                    }
                }
            }
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn string(&mut self) -> Option<String> {
        if !self.eat("\"") {
            return None;
        }
        let mut out = String::new();
        loop {
            let rest = std::str::from_utf8(&self.s[self.i..]).ok()?;
            let c = rest.chars().next()?;
            self.i += c.len_utf8();
            match c {
                '"' => return Some(out),
                '\\' => {
                    let e = *self.s.get(self.i)?;
                    self.i += 1;
                    out.push(match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hex = std::str::from_utf8(self.s.get(self.i..self.i + 4)?).ok()?;
                            self.i += 4;
                            let mut code = u32::from_str_radix(hex, 16).ok()?;
                            if (0xD800..0xDC00).contains(&code) && self.eat("\\u") {
                                let hex2 =
                                    std::str::from_utf8(self.s.get(self.i..self.i + 4)?).ok()?;
                                self.i += 4;
                                let low = u32::from_str_radix(hex2, 16).ok()?;
                                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                            }
                            char::from_u32(code)?
                        }
                        _ => return None,
                    });
                }
                c if (c as u32) < 0x20 => return None,
                c => out.push(c),
            }
        }
    }

    fn number(&mut self) -> Option<Json> {
        let start = self.i;
        while self.i < self.s.len()
            && matches!(
                self.s[self.i],
                b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'
            )
        {
            self.i += 1;
        }
        let text = std::str::from_utf8(&self.s[start..self.i]).ok()?;
        numeric_text(text).map(Json::Number)
    }
}

/// A JSON number as `numeric_out` prints it (`1e3` → `1000`, `1.50` → `1.50`, `-0` → `0`).
fn numeric_text(text: &str) -> Option<String> {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text),
    };
    let (mantissa, exp) = match rest.find(['e', 'E']) {
        Some(p) => (&rest[..p], rest[p + 1..].parse::<i64>().ok()?),
        None => (rest, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) || (mantissa.contains('.') && frac.is_empty()) {
        return None;
    }
    let digits = format!("{int}{frac}");
    // The value is digits × 10^(exp - frac.len()); numeric keeps max(0, frac.len() - exp) decimals.
    let scale = i64::try_from(frac.len()).ok()? - exp;
    let (int_part, frac_part) = if scale <= 0 {
        let zeros = usize::try_from(-scale).ok()?;
        (format!("{digits}{}", "0".repeat(zeros)), String::new())
    } else {
        let scale = usize::try_from(scale).ok()?;
        let padded = if digits.len() <= scale {
            format!("{}{digits}", "0".repeat(scale - digits.len() + 1))
        } else {
            digits
        };
        let split = padded.len() - scale;
        (padded[..split].to_string(), padded[split..].to_string())
    };
    let int_part = int_part.trim_start_matches('0');
    let int_part = if int_part.is_empty() { "0" } else { int_part };
    let zero = int_part == "0" && frac_part.bytes().all(|b| b == b'0');
    let mut out = String::new();
    if negative && !zero {
        out.push('-');
    }
    out.push_str(int_part);
    if !frac_part.is_empty() {
        out.push('.');
        out.push_str(&frac_part);
    }
    Some(out)
}

fn write_json(v: &Json, out: &mut String) {
    match v {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Number(n) => out.push_str(n),
        Json::String(s) => write_string(s, out),
        Json::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_json(item, out);
            }
            out.push(']');
        }
        Json::Object(fields) => {
            out.push('{');
            for (i, (k, item)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_string(k, out);
                out.push_str(": ");
                write_json(item, out);
            }
            out.push('}');
        }
    }
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(raw: &str, ty: &str) -> Option<String> {
        canonical_default(raw, &SqlType::parse(ty, "public").expect("type"))
    }

    #[test]
    fn defaults_print_as_postgres_prints_them() {
        // Each as seen in pg_get_expr on PostgreSQL 15.
        for (raw, ty, printed) in [
            ("-3", "int", "'-3'::integer"),
            ("3", "bigint", "3"),
            ("-3", "bigint", "'-3'::integer"),
            ("3000000000", "bigint", "'3000000000'::bigint"),
            ("0", "numeric(10,2)", "0"),
            ("0.00", "numeric(10,2)", "0.00"),
            ("-1.5", "numeric", "'-1.5'::numeric"),
            ("'0'", "numeric(10,2)", "'0'::numeric"),
            ("'x'", "varchar(255)", "'x'::character varying"),
            ("'GB'", "char(2)", "'GB'::bpchar"),
            ("'it''s'", "text", "'it''s'::text"),
            ("'a'", "tier", "'a'::public.tier"),
            (
                r#"'{"b":1,"aa":[1,2.50,"x"]}'"#,
                "jsonb",
                r#"'{"b": 1, "aa": [1, 2.50, "x"]}'::jsonb"#,
            ),
            (r#"'{"b":1}'"#, "json", r#"'{"b":1}'::json"#),
            ("TRUE", "boolean", "true"),
            ("current_timestamp", "timestamptz", "CURRENT_TIMESTAMP"),
            ("now()", "timestamptz", "now()"),
            ("'{}'", "text[]", "'{}'::text[]"),
            ("1.5", "double precision", "1.5"),
            ("'1 day'", "interval", "'1 day'::interval"),
            (
                "'00000000-0000-4000-8000-00000000000A'",
                "uuid",
                "'00000000-0000-4000-8000-00000000000a'::uuid",
            ),
            ("-3000000000", "bigint", "'-3000000000'::bigint"),
        ] {
            assert_eq!(d(raw, ty).as_deref(), Some(printed), "{raw} {ty}");
        }
        assert_eq!(d("NULL", "text"), None);
    }

    #[test]
    fn jsonb_is_normalised() {
        assert_eq!(jsonb_text("{}").as_deref(), Some("{}"));
        assert_eq!(
            jsonb_text(r#"{"a":1,"a":2,"b":[true,null,1e3,-0,1.5E-2]}"#).as_deref(),
            Some(r#"{"a": 2, "b": [true, null, 1000, 0, 0.015]}"#)
        );
        assert_eq!(
            jsonb_text(r#" "\u00e9\n\/" "#).as_deref(),
            Some("\"é\\n/\"")
        );
        assert_eq!(jsonb_text("{"), None);
    }
}
