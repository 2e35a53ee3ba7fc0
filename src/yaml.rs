//! YAML loading into a tree where every node knows its source span.
//!
//! Built on `saphyr-parser`'s event stream (a maintained YAML 1.2 parser that reports a start and
//! end marker for every event). The tree is ours, so the rules are ours too:
//! - YAML 1.2 core schema for plain scalars only; quoted scalars are always strings (no `yes`→true);
//! - duplicate keys, merge keys (`<<`), non-scalar keys, custom tags and multiple documents are errors;
//! - input size, nesting depth and the number of nodes after alias expansion are bounded, and the
//!   budget is checked *before* an alias is copied, so an alias bomb is rejected without expanding.

use crate::diag::Diagnostic;
use crate::source::{SourceFile, Span};
use saphyr_parser::{Event, Parser, ScalarStyle};
use std::collections::HashMap;

/// Resource limits for loading one document.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_bytes: usize,
    pub max_depth: usize,
    /// Maximum nodes in the loaded tree, counting every copy an alias makes.
    pub max_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 8 * 1024 * 1024,
            max_depth: 64,
            max_nodes: 200_000,
        }
    }
}

/// A loaded YAML node.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

/// A mapping entry; keys are always strings and keep their own span.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

pub mod codes {
    pub const SYNTAX: &str = "ZT0001";
    pub const DUPLICATE_KEY: &str = "ZT0002";
    pub const ALIAS_BUDGET: &str = "ZT0003";
    pub const TOO_DEEP: &str = "ZT0004";
    pub const TOO_LARGE: &str = "ZT0005";
    pub const TAG: &str = "ZT0006";
    pub const NUMBER_RANGE: &str = "ZT0007";
    pub const KEY_NOT_SCALAR: &str = "ZT0008";
    pub const MERGE_KEY: &str = "ZT0009";
    pub const ENCODING: &str = "ZT0010";
    pub const MULTI_DOC: &str = "ZT0011";
}

impl Node {
    fn count(&self) -> usize {
        match &self.value {
            Value::Seq(items) => 1 + items.iter().map(Node::count).sum::<usize>(),
            Value::Map(entries) => 1 + entries.iter().map(|e| e.value.count()).sum::<usize>(),
            _ => 1,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn get(&self, key: &str) -> Option<&Entry> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|e| e.key == key),
            _ => None,
        }
    }
    /// Convert to JSON (for schema validation and typed deserialisation).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(J::Number)
                .unwrap_or(J::Null),
            Value::Str(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|e| (e.key.clone(), e.value.to_json()))
                    .collect(),
            ),
        }
    }
    /// Every node by its JSON pointer: (value span, key span when the node is a mapping value).
    /// Built once so that locating many nodes stays linear in the document size.
    pub fn index(&self) -> std::collections::HashMap<String, (Span, Option<Span>)> {
        let mut out = std::collections::HashMap::new();
        let mut stack: Vec<(String, &Node, Option<Span>)> = vec![(String::new(), self, None)];
        while let Some((ptr, node, key)) = stack.pop() {
            match &node.value {
                Value::Map(entries) => {
                    for e in entries {
                        let seg = e.key.replace('~', "~0").replace('/', "~1");
                        stack.push((format!("{ptr}/{seg}"), &e.value, Some(e.key_span)));
                    }
                }
                Value::Seq(items) => {
                    for (i, n) in items.iter().enumerate() {
                        stack.push((format!("{ptr}/{i}"), n, None));
                    }
                }
                _ => {}
            }
            out.insert(ptr, (node.span, key));
        }
        out
    }
    /// Resolve an RFC 6901 JSON pointer. Returns the node and, when the last step is a mapping key,
    /// that key's span.
    pub fn pointer(&self, pointer: &str) -> Option<(&Node, Option<Span>)> {
        let mut node = self;
        let mut key_span = None;
        if pointer.is_empty() {
            return Some((node, None));
        }
        for raw in pointer.strip_prefix('/')?.split('/') {
            let seg = raw.replace("~1", "/").replace("~0", "~");
            match &node.value {
                Value::Map(entries) => {
                    let e = entries.iter().find(|e| e.key == seg)?;
                    key_span = Some(e.key_span);
                    node = &e.value;
                }
                Value::Seq(items) => {
                    node = items.get(seg.parse::<usize>().ok()?)?;
                    key_span = None;
                }
                _ => return None,
            }
        }
        Some((node, key_span))
    }
}

/// Load bytes: checks encoding first (UTF-8, no NUL), strips a BOM, then parses.
pub fn load_bytes(
    bytes: &[u8],
    file_name: &str,
    limits: Limits,
) -> (SourceFile, Result<Node, Vec<Diagnostic>>) {
    if bytes.len() > limits.max_bytes {
        let src = SourceFile::new(file_name, "");
        return (
            src,
            Err(vec![Diagnostic::error(
                codes::TOO_LARGE,
                format!(
                    "spec is {} bytes; the limit is {} bytes",
                    bytes.len(),
                    limits.max_bytes
                ),
            )
            .help(
                "a zerotrust.yaml spec is a few kilobytes; split the estate into several specs",
            )]),
        );
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.valid_up_to();
            let lossy = String::from_utf8_lossy(bytes).into_owned();
            let src = SourceFile::new(file_name, lossy);
            // the lossy text replaces bytes, so find the offset by re-decoding the valid prefix
            let off = String::from_utf8_lossy(&bytes[..valid]).len();
            return (
                src,
                Err(vec![Diagnostic::error(
                    codes::ENCODING,
                    "spec is not valid UTF-8",
                )
                .at(Span::new(off, off + 1))
                .label("invalid byte sequence here")
                .help("save the file as UTF-8")]),
            );
        }
    };
    let src = SourceFile::new(file_name, text);
    let result = load(&src, limits);
    (src, result)
}

/// Load a source file into a [`Node`] tree.
pub fn load(src: &SourceFile, limits: Limits) -> Result<Node, Vec<Diagnostic>> {
    let text = src.text();
    if text.len() > limits.max_bytes {
        return Err(vec![Diagnostic::error(
            codes::TOO_LARGE,
            format!(
                "spec is {} bytes; the limit is {} bytes",
                text.len(),
                limits.max_bytes
            ),
        )]);
    }
    if let Some(pos) = text.find('\0') {
        return Err(vec![Diagnostic::error(
            codes::ENCODING,
            "spec contains a NUL byte",
        )
        .at(Span::new(pos, pos + 1))
        .label("NUL byte")
        .help("remove the NUL byte; specs are plain UTF-8 text")]);
    }
    Loader::new(src, limits).run()
}

enum Frame {
    Seq {
        items: Vec<Node>,
        start: usize,
        anchor: usize,
    },
    Map {
        entries: Vec<Entry>,
        pending_key: Option<(String, Span)>,
        start: usize,
        anchor: usize,
        seen: HashMap<String, Span>,
    },
}

struct Loader<'a> {
    src: &'a SourceFile,
    limits: Limits,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize)>,
    nodes: usize,
    docs: usize,
    root: Option<Node>,
    errors: Vec<Diagnostic>,
    /// The last marker converted: (line, column in characters, byte offset). Markers arrive in
    /// order, so the next one is found by walking forward from here instead of from the start of
    /// its line: converting from the line start each time is quadratic in the line length (a
    /// 75 kB one-line flow sequence took 50 s).
    cursor: std::cell::Cell<(usize, usize, usize)>,
}

impl<'a> Loader<'a> {
    fn new(src: &'a SourceFile, limits: Limits) -> Self {
        Loader {
            src,
            limits,
            stack: Vec::new(),
            anchors: HashMap::new(),
            nodes: 0,
            docs: 0,
            root: None,
            errors: Vec::new(),
            cursor: std::cell::Cell::new((0, 0, 0)),
        }
    }

    fn off(&self, m: &saphyr_parser::Marker) -> usize {
        let (line, col) = (m.line(), m.col());
        let (c_line, c_col, c_byte) = self.cursor.get();
        let ahead = if line == c_line && col >= c_col && c_line != 0 {
            self.src.text()[c_byte..]
                .char_indices()
                .nth(col - c_col)
                .map(|(i, _)| c_byte + i)
        } else {
            None
        };
        let at = ahead.unwrap_or_else(|| self.src.offset_of(line, col));
        self.cursor.set((line, col, at));
        at
    }

    fn run(mut self) -> Result<Node, Vec<Diagnostic>> {
        let mut parser = Parser::new_from_str(self.src.text());
        loop {
            let (ev, span) = match parser.next() {
                None => break,
                Some(Ok(x)) => x,
                Some(Err(e)) => {
                    let at = self.off(e.marker());
                    if e.info().contains("recursion limit") {
                        self.errors.push(
                            Diagnostic::error(codes::TOO_DEEP, "nesting is too deep")
                                .at(Span::new(at, at + 1))
                                .label("too deep")
                                .help("a spec nests a few levels; flatten this structure"),
                        );
                        break;
                    }
                    self.errors.push(
                        Diagnostic::error(
                            codes::SYNTAX,
                            format!("YAML syntax error: {}", e.info()),
                        )
                        .at(Span::new(at, at + 1))
                        .label("here")
                        .help("fix the YAML syntax; `ztc schema` prints the expected structure"),
                    );
                    break;
                }
            };
            let sp = Span::new(self.off(&span.start), self.off(&span.end));
            if !self.event(ev, sp) {
                break;
            }
        }
        if !self.errors.is_empty() {
            return Err(self.errors);
        }
        Ok(self.root.unwrap_or(Node {
            value: Value::Null,
            span: Span::new(0, 0),
        }))
    }

    fn fail(&mut self, d: Diagnostic) -> bool {
        self.errors.push(d);
        false
    }

    /// Handle one event; false stops loading.
    fn event(&mut self, ev: Event<'_>, sp: Span) -> bool {
        match ev {
            Event::StreamStart | Event::StreamEnd | Event::Nothing | Event::DocumentEnd => true,
            Event::DocumentStart(_) => {
                self.docs += 1;
                if self.docs > 1 {
                    return self.fail(
                        Diagnostic::error(
                            codes::MULTI_DOC,
                            "a spec is one YAML document; found a second one",
                        )
                        .at(Span::new(sp.start, sp.start + 3))
                        .label("second document starts here")
                        .help("put each spec in its own file"),
                    );
                }
                true
            }
            Event::Alias(id) => {
                let Some((node, count)) = self.anchors.get(&id).map(|(n, c)| (n, *c)) else {
                    return self.fail(
                        Diagnostic::error(codes::SYNTAX, "alias refers to an unknown anchor")
                            .at(sp),
                    );
                };
                if self.nodes + count > self.limits.max_nodes {
                    return self.fail(
                        Diagnostic::error(
                            codes::ALIAS_BUDGET,
                            format!(
                                "alias expansion exceeds the limit of {} nodes (an alias bomb?)",
                                self.limits.max_nodes
                            ),
                        )
                        .at(sp)
                        .label("this alias would copy too much")
                        .help("write the values out, or use fewer nested aliases (the bound is `--max-nodes`)"),
                    );
                }
                let node = Node {
                    value: node.value.clone(),
                    span: sp,
                };
                self.nodes += count;
                self.push_node(node)
            }
            Event::Scalar(text, style, anchor, tag) => {
                let mut force_str = false;
                if let Some(tag) = tag {
                    let core = tag.is_yaml_core_schema();
                    if core && tag.suffix == "str" {
                        force_str = true;
                    } else if !(core
                        && matches!(tag.suffix.as_str(), "int" | "float" | "bool" | "null"))
                    {
                        return self.fail(tag_error(&show_tag(&tag), sp));
                    }
                }
                let value = if force_str || style != ScalarStyle::Plain {
                    Value::Str(text.into_owned())
                } else {
                    match resolve_plain(&text) {
                        Ok(v) => v,
                        Err(msg) => {
                            return self.fail(
                                Diagnostic::error(codes::NUMBER_RANGE, msg)
                                    .at(sp)
                                    .label("out of range")
                                    .help("quote the value if it is meant as text"),
                            )
                        }
                    }
                };
                self.nodes += 1;
                let node = Node { value, span: sp };
                if anchor != 0 {
                    self.anchors.insert(anchor, (node.clone(), 1));
                }
                self.push_node(node)
            }
            Event::SequenceStart(anchor, tag) | Event::MappingStart(anchor, tag)
                if tag.as_ref().is_some_and(|t| {
                    !(t.is_yaml_core_schema() && matches!(t.suffix.as_str(), "seq" | "map"))
                }) =>
            {
                let _ = anchor;
                let t = tag.map(|t| show_tag(&t)).unwrap_or_default();
                self.fail(tag_error(&t, sp))
            }
            Event::SequenceStart(anchor, _) => {
                if !self.enter(sp) {
                    return false;
                }
                self.stack.push(Frame::Seq {
                    items: Vec::new(),
                    start: sp.start,
                    anchor,
                });
                true
            }
            Event::MappingStart(anchor, _) => {
                if !self.enter(sp) {
                    return false;
                }
                self.stack.push(Frame::Map {
                    entries: Vec::new(),
                    pending_key: None,
                    start: sp.start,
                    anchor,
                    seen: HashMap::new(),
                });
                true
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return true;
                };
                let (value, start, anchor) = match frame {
                    Frame::Seq {
                        items,
                        start,
                        anchor,
                    } => (Value::Seq(items), start, anchor),
                    Frame::Map {
                        entries,
                        start,
                        anchor,
                        ..
                    } => (Value::Map(entries), start, anchor),
                };
                let node = Node {
                    value,
                    span: Span::new(start, sp.end.max(start)),
                };
                if anchor != 0 {
                    let c = node.count();
                    self.anchors.insert(anchor, (node.clone(), c));
                }
                self.push_node(node)
            }
        }
    }

    fn enter(&mut self, sp: Span) -> bool {
        self.nodes += 1;
        if self.stack.len() >= self.limits.max_depth {
            return self.fail(
                Diagnostic::error(
                    codes::TOO_DEEP,
                    format!("nesting deeper than {} levels", self.limits.max_depth),
                )
                .at(Span::new(sp.start, sp.start + 1))
                .label("too deep")
                .help("a spec nests a few levels; flatten this structure"),
            );
        }
        if self.nodes > self.limits.max_nodes {
            return self.fail(
                Diagnostic::error(
                    codes::ALIAS_BUDGET,
                    format!("more than {} nodes", self.limits.max_nodes),
                )
                .at(sp)
                .label("the spec grows past the node limit here")
                .help("split the spec, or raise the bound for a large generated spec: `--max-nodes N`"),
            );
        }
        true
    }

    fn push_node(&mut self, node: Node) -> bool {
        match self.stack.last_mut() {
            None => {
                self.root = Some(node);
                true
            }
            Some(Frame::Seq { items, .. }) => {
                items.push(node);
                true
            }
            Some(Frame::Map {
                entries,
                pending_key,
                seen,
                ..
            }) => {
                match pending_key.take() {
                    None => {
                        let key = match node.value {
                            Value::Str(s) => s,
                            Value::Null => String::new(),
                            Value::Bool(_) | Value::Int(_) | Value::Float(_) => self.src.text()
                                [node.span.start..node.span.end]
                                .trim()
                                .to_string(),
                            Value::Seq(_) | Value::Map(_) => {
                                let d = Diagnostic::error(
                                    codes::KEY_NOT_SCALAR,
                                    "mapping keys must be plain strings",
                                )
                                .at(node.span)
                                .label("complex key")
                                .help("use a string key");
                                return self.fail(d);
                            }
                        };
                        if key == "<<" {
                            let d = Diagnostic::error(codes::MERGE_KEY, "merge keys (`<<`) are not supported")
                            .at(node.span)
                            .label("merge key")
                            .help("write the keys out; merges hide which values a resource really gets");
                            return self.fail(d);
                        }
                        if let Some(first) = seen.get(&key) {
                            let d = Diagnostic::error(
                                codes::DUPLICATE_KEY,
                                format!("duplicate key `{key}`"),
                            )
                            .at(node.span)
                            .label("defined again here")
                            .related(*first, "first defined here")
                            .help("remove one of the two; YAML would silently keep only the last");
                            self.errors.push(d);
                            *pending_key = Some((key, node.span));
                            return true;
                        }
                        seen.insert(key.clone(), node.span);
                        *pending_key = Some((key, node.span));
                        true
                    }
                    Some((key, key_span)) => {
                        entries.push(Entry {
                            key,
                            key_span,
                            value: node,
                        });
                        true
                    }
                }
            }
        }
    }
}

/// A tag as the user wrote it: `!!python/object`, `!Ref`.
fn show_tag(t: &saphyr_parser::Tag) -> String {
    if t.is_yaml_core_schema() {
        format!("!!{}", t.suffix.trim_start_matches('!'))
    } else {
        format!("{}{}", t.handle, t.suffix)
    }
}

fn tag_error(tag: &str, sp: Span) -> Diagnostic {
    Diagnostic::error(codes::TAG, format!("YAML tag `{tag}` is not allowed"))
        .at(sp)
        .label("tag")
        .help("specs are plain data; remove the tag (only the core tags like `!!str` are accepted)")
}

/// YAML 1.2 core schema resolution of a plain scalar.
fn resolve_plain(s: &str) -> Result<Value, String> {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Ok(Value::Null),
        "true" | "True" | "TRUE" => return Ok(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Ok(Value::Bool(false)),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Ok(Value::Float(f64::INFINITY))
        }
        "-.inf" | "-.Inf" | "-.INF" => return Ok(Value::Float(f64::NEG_INFINITY)),
        ".nan" | ".NaN" | ".NAN" => return Ok(Value::Float(f64::NAN)),
        _ => {}
    }
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return s
            .parse::<i64>()
            .map(Value::Int)
            .map_err(|_| format!("integer `{s}` does not fit in 64 bits"));
    }
    if let Some(h) = s.strip_prefix("0x") {
        if !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit()) {
            return i64::from_str_radix(h, 16)
                .map(Value::Int)
                .map_err(|_| format!("integer `{s}` does not fit in 64 bits"));
        }
    }
    if let Some(o) = s.strip_prefix("0o") {
        if !o.is_empty() && o.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
            return i64::from_str_radix(o, 8)
                .map(Value::Int)
                .map_err(|_| format!("integer `{s}` does not fit in 64 bits"));
        }
    }
    if is_float(s) {
        if let Ok(f) = s.parse::<f64>() {
            if f.is_finite() {
                return Ok(Value::Float(f));
            }
            return Err(format!("number `{s}` is out of range"));
        }
    }
    Ok(Value::Str(s.to_string()))
}

fn is_float(s: &str) -> bool {
    let t = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (mant, exp) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    let mant_ok = {
        let mut parts = mant.splitn(2, '.');
        let a = parts.next().unwrap_or("");
        let b = parts.next();
        let a_ok = a.bytes().all(|c| c.is_ascii_digit());
        match b {
            Some(b) => {
                a_ok && b.bytes().all(|c| c.is_ascii_digit()) && !(a.is_empty() && b.is_empty())
            }
            None => a_ok && !a.is_empty(),
        }
    };
    let exp_ok = match exp {
        None => true,
        Some(e) => {
            let e = e.strip_prefix(['-', '+']).unwrap_or(e);
            !e.is_empty() && e.bytes().all(|c| c.is_ascii_digit())
        }
    };
    mant_ok && exp_ok && (mant.contains('.') || exp.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ld(s: &str) -> Result<Node, Vec<Diagnostic>> {
        load(&SourceFile::new("t.yaml", s), Limits::default())
    }

    #[test]
    fn spans_and_types() {
        let n = ld("a: 1\nb: 'yes'\nc: yes\nd: [1.5, ~]\n").unwrap();
        assert_eq!(
            n.to_json(),
            serde_json::json!({"a": 1, "b": "yes", "c": "yes", "d": [1.5, null]})
        );
        let (v, k) = n.pointer("/b").unwrap();
        assert_eq!(k.unwrap(), Span::new(5, 6));
        assert_eq!(v.span.start, 8);
    }

    #[test]
    fn duplicate_keys_rejected() {
        let e = ld("a: 1\na: 2\n").unwrap_err();
        assert_eq!(e[0].code, codes::DUPLICATE_KEY);
        assert_eq!(e[0].span.unwrap().start, 5);
    }

    #[test]
    fn alias_bomb_rejected_without_expanding() {
        let mut s = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..20 {
            s.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n", p = i - 1));
        }
        let t = std::time::Instant::now();
        let e = ld(&s).unwrap_err();
        assert_eq!(e[0].code, codes::ALIAS_BUDGET);
        assert!(t.elapsed().as_secs() < 5);
    }

    #[test]
    fn long_lines_load_in_linear_time_with_exact_spans() {
        let mut s = String::from("a: [");
        for i in 0..20_000 {
            s.push_str(&format!("é{i}, "));
        }
        s.push_str("end]\nb: ü\n");
        let t = std::time::Instant::now();
        let n = ld(&s).unwrap();
        assert!(t.elapsed().as_secs() < 5, "{:?}", t.elapsed());
        let (v, _) = n.pointer("/a/19999").unwrap();
        assert_eq!(&s[v.span.start..v.span.end], "é19999");
        let (v, k) = n.pointer("/b").unwrap();
        assert_eq!(&s[v.span.start..v.span.end], "ü");
        assert_eq!(&s[k.unwrap().start..k.unwrap().end], "b");
    }

    #[test]
    fn deep_nesting_rejected() {
        let s = "[".repeat(10_000) + &"]".repeat(10_000);
        assert_eq!(ld(&s).unwrap_err()[0].code, codes::TOO_DEEP);
    }

    #[test]
    fn tags_and_merge_keys_rejected() {
        assert_eq!(
            ld("a: !!python/object:os.system x\n").unwrap_err()[0].code,
            codes::TAG
        );
        assert_eq!(
            ld("b: &b {x: 1}\na:\n  <<: *b\n").unwrap_err()[0].code,
            codes::MERGE_KEY
        );
        assert_eq!(
            ld("a: !!str 10\n").unwrap().to_json(),
            serde_json::json!({"a": "10"})
        );
    }

    #[test]
    fn numbers_that_overflow_are_errors() {
        assert_eq!(
            ld("a: 99999999999999999999999\n").unwrap_err()[0].code,
            codes::NUMBER_RANGE
        );
    }

    #[test]
    fn encoding_errors() {
        let (_, r) = load_bytes(b"a: \xff\n", "t", Limits::default());
        assert_eq!(r.unwrap_err()[0].code, codes::ENCODING);
        let (_, r) = load_bytes(b"a: b\0\n", "t", Limits::default());
        assert_eq!(r.unwrap_err()[0].code, codes::ENCODING);
        let (_, r) = load_bytes(b"\xEF\xBB\xBFa: b\r\n", "t", Limits::default());
        assert_eq!(r.unwrap().to_json(), serde_json::json!({"a": "b"}));
    }
}
