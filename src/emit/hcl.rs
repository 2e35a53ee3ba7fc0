//! Terraform HCL printer: the IR as a Terraform module, one file per concern.
//!
//! The output is byte-for-byte what `terraform fmt` would produce for it, so a generated module
//! passes `terraform fmt -check`. The rules this printer follows (checked against terraform 1.11):
//!
//! - 2-space indentation, one level per line that opens brackets (`x = jsonencode({` opens one
//!   level, closed by `})`).
//! - The `=` of *consecutive* lines of single-line attributes (or object items) are aligned by
//!   padding the names. A run ends at any line without a single-line assignment: a block header
//!   or its closing brace, a comment, a blank line, and every line of a multi-line value — the
//!   `name = {` / `name = [` / `name = jsonencode({` line itself included. So attributes before
//!   and after a multi-line value or a nested block are aligned separately.
//! - Name widths are counted in grapheme clusters (`"é"` is 3 wide, `"🇺🇸"` 3). Where this
//!   printer cannot be sure of a key's width (rare scripts), it puts the key on its own run,
//!   between blank lines, where its width does not matter.
//! - An attribute whose whole value is a template with a single interpolation (`"${x}"`) is
//!   rewritten by `terraform fmt` to the bare expression; this printer prints it bare there too
//!   (inside objects and lists the template is kept, as there it converts the value to a string).
//! - Multi-line values only appear where each of their lines opens brackets at its end and closes
//!   them at its start (attribute values, list items, object values, `for` results,
//!   `jsonencode(...)`); inside function arguments, `for` collections and conditions, operands and
//!   interpolations, lists and objects stay on one line (`{ a = 1, b = 2 }`).
//! - Spacing quirks of `terraform fmt` reproduced: `${- 1}` and `in - 1` / `if - 1` (a leading
//!   minus after `${` or a keyword), `${ {} }`, `in(x)` / `if(x)` / `if[x]`; `"s"[0]` and
//!   `x[true]` are printed as `("s")[0]` and `x[(true)]`, which `terraform fmt` leaves alone.
//!
//! String literals are data: every `${` / `%{` in them is escaped (`$${`, `%%{`), so user text is
//! never interpolated.

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::ir::{
    Address, Block, Concern, Expr, Func, Item, Kind, Module, Ref, RefTarget, Step, VarType,
};

/// Lists print on one line when the whole line stays within this many characters.
const MAX_WIDTH: usize = 100;
/// A column no line reaches: a list starting here never fits on its line.
const NEVER_FITS: usize = usize::MAX / 4;

/// Print a module as Terraform HCL files: (relative path, contents), in a stable order.
pub fn emit(module: &Module) -> Vec<(String, String)> {
    let mut files = vec![
        ("versions.tf".to_string(), versions_tf(module)),
        ("providers.tf".to_string(), providers_tf(module)),
    ];
    let variables: Vec<String> = module.variables.iter().map(variable).collect();
    if !variables.is_empty() {
        files.push(("variables.tf".into(), join_blocks(&variables)));
    }
    for concern in Concern::ALL {
        let blocks: Vec<String> = module
            .blocks()
            .filter(|b| b.concern == concern)
            .map(top_block)
            .collect();
        if !blocks.is_empty() {
            files.push((format!("{}.tf", concern.name()), join_blocks(&blocks)));
        }
    }
    let outputs: Vec<String> = module.outputs.iter().map(output).collect();
    if !outputs.is_empty() {
        files.push(("outputs.tf".into(), join_blocks(&outputs)));
    }
    match &module.hcl_files {
        None => files,
        Some((settings, resources)) => {
            // the same files in the same order, concatenated into two
            let is_settings =
                |p: &str| matches!(p, "versions.tf" | "providers.tf" | "variables.tf");
            let join = |pick: &dyn Fn(&str) -> bool| {
                let parts: Vec<String> = files
                    .iter()
                    .filter(|(p, _)| pick(p))
                    .map(|(_, t)| t.clone())
                    .collect();
                parts.join("\n")
            };
            let mut out = vec![(settings.clone(), join(&|p| is_settings(p)))];
            let rest = join(&|p| !is_settings(p));
            if !rest.is_empty() {
                out.push((resources.clone(), rest));
            }
            out
        }
    }
}

/// Print one expression (used by tests and other printers' debug output).
pub fn expr_to_string(e: &Expr) -> String {
    expr(e, Ctx::top(0, 0))
}

/// Quote and escape a literal string as an HCL string literal.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    quote_into(&mut out, s);
    out
}

/// [`quote`], appended to `out`.
pub(crate) fn quote_into(out: &mut String, s: &str) {
    out.push('"');
    escape_into(out, s);
    out.push('"');
}

/// Escape `s` for the inside of an HCL quoted string (template): backslash escapes for `\`, `"`
/// and control characters; `${` → `$${` and `%{` → `%%{`.
pub(crate) fn escape_into(out: &mut String, s: &str) {
    // most text is printable ASCII with nothing to escape
    if s.bytes()
        .all(|b| (0x20..0x7f).contains(&b) && !matches!(b, b'\\' | b'"' | b'$' | b'%'))
    {
        out.push_str(s);
        return;
    }
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
}

// ------------------------------------------------------------------------------------------------
// files
// ------------------------------------------------------------------------------------------------

/// Top-level blocks separated by one blank line; each block text ends with a newline.
fn join_blocks(blocks: &[String]) -> String {
    blocks.join("\n")
}

fn versions_tf(module: &Module) -> String {
    let mut body = Vec::new();
    if !module.required_version.is_empty() {
        body.push(Entry::attr(
            "required_version",
            Expr::str(module.required_version.clone()),
        ));
    }
    if !module.providers_required.is_empty() {
        let reqs = module
            .providers_required
            .iter()
            .map(|p| {
                let mut req = vec![("source".to_string(), Expr::str(p.source.clone()))];
                if !p.version.is_empty() {
                    req.push(("version".to_string(), Expr::str(p.version.clone())));
                }
                Entry::attr(&object_key(&p.name), Expr::Object(req))
            })
            .collect();
        body.push(Entry::block("required_providers".into(), vec![], reqs));
    }
    if let Some(b) = &module.backend {
        let mut items = vec![
            Entry::attr("bucket", Expr::str(b.bucket.clone())),
            Entry::attr("key", Expr::str(b.key.clone())),
            Entry::attr("region", Expr::str(b.region.clone())),
            Entry::attr("encrypt", Expr::Bool(true)),
        ];
        if let Some(k) = &b.kms_key_id {
            items.push(Entry::attr("kms_key_id", Expr::str(k.clone())));
        }
        if let Some(t) = &b.dynamodb_table {
            items.push(Entry::attr("dynamodb_table", Expr::str(t.clone())));
        }
        body.push(Entry::block(
            format!("backend {}", quote("s3")),
            vec![],
            items,
        ));
    }
    render_top(&Entry::block("terraform".into(), vec![], body))
}

fn providers_tf(module: &Module) -> String {
    if module.providers.is_empty() {
        return "# No provider configuration.\n".into();
    }
    let blocks: Vec<String> = module
        .providers
        .iter()
        .map(|p| {
            let mut body = Vec::new();
            if let Some(alias) = &p.alias {
                body.push(Entry::attr("alias", Expr::str(alias.clone())));
            }
            body.extend(body_entries(&p.body));
            render_top(&Entry::block(
                format!("provider {}", quote(&p.name)),
                vec![],
                body,
            ))
        })
        .collect();
    join_blocks(&blocks)
}

fn variable(v: &crate::ir::Variable) -> String {
    let mut body = Vec::new();
    if !v.description.is_empty() {
        body.push(Entry::attr("description", Expr::str(v.description.clone())));
    }
    let ty = match v.ty {
        VarType::String => "string",
        VarType::Number => "number",
        VarType::Bool => "bool",
        VarType::ListString => "list(string)",
    };
    body.push(Entry::Attr {
        key: "type".into(),
        val: Val::Raw(ty.into()),
    });
    if let Some(d) = &v.default {
        body.push(Entry::attr_ref("default", d));
    }
    if v.sensitive {
        body.push(Entry::attr("sensitive", Expr::Bool(true)));
    }
    for val in &v.validations {
        body.push(Entry::block(
            "validation".into(),
            vec![],
            vec![
                Entry::attr_ref("condition", &val.condition),
                Entry::attr("error_message", Expr::str(val.error_message.clone())),
            ],
        ));
    }
    render_top(&Entry::block(
        format!("variable {}", quote(&v.name)),
        vec![],
        body,
    ))
}

fn output(o: &crate::ir::Output) -> String {
    let mut body = Vec::new();
    if !o.description.is_empty() {
        body.push(Entry::attr("description", Expr::str(o.description.clone())));
    }
    body.push(Entry::attr_ref("value", &o.value));
    if o.sensitive {
        body.push(Entry::attr("sensitive", Expr::Bool(true)));
    }
    render_top(&Entry::block(
        format!("output {}", quote(&o.name)),
        vec![],
        body,
    ))
}

/// A resource or data block with its comment, trivy ignores above and checkov skips inside.
fn top_block(b: &Block) -> String {
    let mut out = String::new();
    let comment = b
        .comment
        .as_deref()
        .unwrap_or("")
        .trim_matches(['\n', '\r']);
    if !comment.is_empty() {
        for line in comment.split('\n') {
            let line = one_line(line, false);
            if line.is_empty() {
                out.push_str("#\n");
            } else {
                let _ = writeln!(out, "# {line}");
            }
        }
    }
    let mut inside = Vec::new();
    for s in &b.skips {
        let id = skip_id(&s.id);
        let reason = one_line(&s.reason, true);
        if id.starts_with("CKV") {
            if reason.is_empty() {
                inside.push(format!("#checkov:skip={id}"));
            } else {
                inside.push(format!("#checkov:skip={id}:{reason}"));
            }
        } else if id.starts_with("AVD-") {
            let _ = writeln!(out, "#trivy:ignore:{id}");
        }
        // Ids of other scanners have no annotation syntax here; they are not printed.
    }
    let kind = b.addr.kind.keyword();
    let head = format!("{kind} {} {}", quote(&b.addr.ty), quote(&b.addr.name));
    let mut body = body_entries(&b.body);
    if let Some(alias) = &b.provider {
        let provider = Expr::Ref(Ref {
            target: RefTarget::Local("aws".into()),
            path: vec![Step::Attr(alias.clone())],
        });
        body.insert(0, Entry::attr("provider", provider));
    }
    if !b.depends_on.is_empty() {
        let deps = b.depends_on.iter().map(address_ref).collect();
        body.push(Entry::attr("depends_on", Expr::List(deps)));
    }
    out.push_str(&render_top(&Entry::block(head, inside, body)));
    out
}

fn address_ref(a: &Address) -> Expr {
    Expr::Ref(Ref {
        target: RefTarget::Block(a.clone()),
        path: vec![],
    })
}

/// A scanner id reduced to the characters check ids use.
fn skip_id(id: &str) -> String {
    id.trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        .collect()
}

/// Text for a comment line: control characters become spaces, trailing spaces go; with
/// `collapse`, every run of white space becomes one space and the ends are trimmed.
fn one_line(s: &str, collapse: bool) -> String {
    let mapped: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if collapse {
        mapped.split_whitespace().collect::<Vec<_>>().join(" ")
    } else {
        mapped.trim_end().to_string()
    }
}

// ------------------------------------------------------------------------------------------------
// bodies
// ------------------------------------------------------------------------------------------------

/// An attribute value: an expression (borrowed from the IR or built here), or raw text.
enum Val<'a> {
    /// `top`: the value of a body attribute (where `terraform fmt` unwraps `"${x}"`).
    Expr { e: Cow<'a, Expr>, top: bool },
    /// Printed as is (single line): type expressions.
    Raw(String),
}

/// One line-group of a body or object: `key = value`, or a nested block.
enum Entry<'a> {
    Attr {
        key: String,
        val: Val<'a>,
    },
    /// `head {` comments, entries `}`.
    Block {
        head: String,
        comments: Vec<String>,
        body: Vec<Entry<'a>>,
    },
}

impl<'a> Entry<'a> {
    fn attr(key: &str, e: Expr) -> Self {
        Entry::Attr {
            key: key.into(),
            val: Val::Expr {
                e: Cow::Owned(e),
                top: true,
            },
        }
    }
    fn attr_ref(key: &str, e: &'a Expr) -> Self {
        Entry::Attr {
            key: key.into(),
            val: Val::Expr {
                e: Cow::Borrowed(e),
                top: true,
            },
        }
    }
    fn block(head: String, comments: Vec<String>, body: Vec<Entry<'a>>) -> Self {
        Entry::Block {
            head,
            comments,
            body,
        }
    }
}

fn body_entries(body: &crate::ir::Body) -> Vec<Entry<'_>> {
    body.items
        .iter()
        .map(|(name, item)| match item {
            Item::Attr(e) => Entry::attr_ref(name, e),
            Item::Block(b) => Entry::block(name.clone(), vec![], body_entries(b)),
        })
        .collect()
}

fn render_top(e: &Entry<'_>) -> String {
    let mut out = String::new();
    render_entries(&mut out, std::slice::from_ref(e), 0);
    out
}

fn push_indent(out: &mut String, indent: usize) {
    for _ in 0..indent {
        out.push_str("  ");
    }
}

/// Print entries at nesting level `indent`, aligning the `=` of runs of single-line attributes.
fn render_entries(out: &mut String, entries: &[Entry<'_>], indent: usize) {
    let n = entries.len();
    // Width of each attribute name (None: not known for sure; such a name is put on a run of its own).
    let widths: Vec<Option<usize>> = entries
        .iter()
        .map(|e| match e {
            Entry::Attr { key, .. } => grapheme_width(key),
            Entry::Block { .. } => Some(0),
        })
        .collect();
    let chars = |i: usize| match &entries[i] {
        Entry::Attr { key, .. } => key.chars().count(),
        Entry::Block { .. } => 0,
    };
    let width = |i: usize| widths[i].unwrap_or_else(|| chars(i));
    let base = indent * 2;
    let render = |i: usize, col: usize| -> String {
        match &entries[i] {
            Entry::Attr {
                val: Val::Expr { e, top },
                ..
            } => {
                let e: &Expr = e;
                if *top {
                    if let Some(inner) = unwrap_interpolation(e) {
                        return expr(inner, Ctx::top(indent, col));
                    }
                }
                expr(e, Ctx::top(indent, col))
            }
            Entry::Attr {
                val: Val::Raw(s), ..
            } => s.clone(),
            Entry::Block { .. } => String::new(),
        }
    };
    // Lists too long for their line at the aligned column are broken; breaking one takes it out
    // of its run, which may narrow the run: repeat until nothing changes. (Breaks only grow.)
    let mut broken = vec![false; n];
    let (mut texts, mut pads, mut single);
    loop {
        texts = vec![String::new(); n];
        pads = vec![1usize; n];
        single = vec![false; n];
        for i in 0..n {
            if let Entry::Attr { .. } = entries[i] {
                let col = if broken[i] {
                    NEVER_FITS
                } else {
                    base + chars(i) + 3
                };
                texts[i] = render(i, col);
                single[i] = !texts[i].contains('\n');
            }
        }
        let mut changed = false;
        let mut i = 0;
        while i < n {
            if !single[i] {
                i += 1;
                continue;
            }
            let mut j = i + 1;
            if widths[i].is_some() {
                while j < n && single[j] && widths[j].is_some() {
                    j += 1;
                }
            }
            let maxw = (i..j).map(width).max().unwrap_or(0);
            for k in i..j {
                let pad = maxw - width(k) + 1;
                if pad == pads[k] || !depends_on_column(&entries[k]) {
                    // the text at this column is the one already rendered
                    pads[k] = pad;
                    continue;
                }
                pads[k] = pad;
                // Line lengths are counted in characters (alignment in grapheme clusters).
                let text = render(k, base + chars(k) + pads[k] + 2);
                if text.contains('\n') {
                    broken[k] = true;
                    changed = true;
                } else {
                    texts[k] = text;
                }
            }
            i = j;
        }
        if !changed {
            break;
        }
    }
    for (i, entry) in entries.iter().enumerate() {
        if i > 0 && single[i] && single[i - 1] && (widths[i].is_none() || widths[i - 1].is_none()) {
            out.push('\n');
        }
        push_indent(out, indent);
        match entry {
            Entry::Attr { key, .. } => {
                out.push_str(key);
                for _ in 0..pads[i] {
                    out.push(' ');
                }
                out.push_str("= ");
                out.push_str(&texts[i]);
                out.push('\n');
            }
            Entry::Block {
                head,
                comments,
                body,
            } => {
                out.push_str(head);
                if comments.is_empty() && body.is_empty() {
                    out.push_str(" {}\n");
                    continue;
                }
                out.push_str(" {\n");
                for c in comments {
                    push_indent(out, indent + 1);
                    out.push_str(c);
                    out.push('\n');
                }
                render_entries(out, body, indent + 1);
                push_indent(out, indent);
                out.push_str("}\n");
            }
        }
    }
}

/// Whether an entry's text may change with the column it starts at: only a list can (it breaks
/// when too long for its line; objects lay out their own lines, by indentation).
fn depends_on_column(e: &Entry<'_>) -> bool {
    fn has_list(e: &Expr) -> bool {
        match e {
            Expr::List(xs) => !xs.is_empty(),
            Expr::Template(xs) | Expr::Call(_, xs) => xs.iter().any(has_list),
            Expr::Object(kv) => kv.iter().any(|(_, v)| has_list(v)),
            Expr::JsonEncode(x) => has_list(x),
            Expr::For { .. } => true,
            Expr::Eq(a, b) | Expr::Index(a, b) => has_list(a) || has_list(b),
            Expr::Null
            | Expr::Bool(_)
            | Expr::Int(_)
            | Expr::Float(_)
            | Expr::Str(_)
            | Expr::Ref(_) => false,
        }
    }
    match e {
        Entry::Attr {
            val: Val::Expr { e, .. },
            ..
        } => has_list(e),
        Entry::Attr { .. } | Entry::Block { .. } => false,
    }
}

/// An object key: bare when it is an identifier-like name, else a quoted string.
pub(crate) fn object_key(k: &str) -> String {
    let mut s = String::new();
    object_key_into(&mut s, k);
    s
}

/// [`object_key`], appended to `out`.
pub(crate) fn object_key_into(out: &mut String, k: &str) {
    // Bare `true`/`false`/`null` would be read as values, a leading bare `for` as a for expression.
    if is_ident(k) && !matches!(k, "true" | "false" | "null" | "for" | "in" | "if") {
        out.push_str(k);
    } else {
        quote_into(out, k);
    }
}

/// `^[A-Za-z_][A-Za-z0-9_-]*$`
fn is_ident(s: &str) -> bool {
    let mut cs = s.chars();
    matches!(cs.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && cs.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

// ------------------------------------------------------------------------------------------------
// expressions
// ------------------------------------------------------------------------------------------------

/// Where an expression is printed.
#[derive(Clone, Copy)]
struct Ctx {
    /// Nesting level of the line the expression starts on.
    indent: usize,
    /// Column the expression starts at.
    col: usize,
    /// Characters that follow the expression on its last line.
    trail: usize,
    /// Keep lists on one line whatever their width (inside calls, conditions, templates).
    inline: bool,
}

impl Ctx {
    fn top(indent: usize, col: usize) -> Self {
        Ctx {
            indent,
            col,
            trail: 0,
            inline: false,
        }
    }
    fn inline(self) -> Self {
        Ctx {
            inline: true,
            ..self
        }
    }
}

/// The parts of a template with nested templates flattened, adjacent literals merged and empty
/// literals dropped.
pub(crate) fn template_parts(parts: &[Expr]) -> Vec<Cow<'_, Expr>> {
    fn walk<'e>(parts: &'e [Expr], out: &mut Vec<Cow<'e, Expr>>) {
        for p in parts {
            match p {
                Expr::Template(inner) => walk(inner, out),
                Expr::Str(s) if s.is_empty() => {}
                Expr::Str(s) => match out.last_mut() {
                    Some(Cow::Owned(Expr::Str(prev))) => prev.push_str(s),
                    Some(last @ Cow::Borrowed(Expr::Str(_))) => {
                        let mut prev = match &**last {
                            Expr::Str(prev) => prev.clone(),
                            _ => String::new(),
                        };
                        prev.push_str(s);
                        *last = Cow::Owned(Expr::Str(prev));
                    }
                    _ => out.push(Cow::Borrowed(p)),
                },
                _ => out.push(Cow::Borrowed(p)),
            }
        }
    }
    let mut out = Vec::new();
    walk(parts, &mut out);
    out
}

/// `"${x}"` as an attribute's whole value: `terraform fmt` prints it as `x`.
fn unwrap_interpolation(e: &Expr) -> Option<&Expr> {
    let Expr::Template(parts) = e else {
        return None;
    };
    let parts = template_parts(parts);
    match parts.as_slice() {
        [Cow::Borrowed(p)] if !matches!(p, Expr::Str(_)) => Some(*p),
        _ => None,
    }
}

/// Single-line values: a list of only these prints on one line when it fits.
fn is_scalar(e: &Expr) -> bool {
    match e {
        Expr::Null
        | Expr::Bool(_)
        | Expr::Int(_)
        | Expr::Float(_)
        | Expr::Str(_)
        | Expr::Ref(_) => true,
        Expr::Template(xs) | Expr::Call(_, xs) => xs.iter().all(is_scalar),
        Expr::Eq(a, b) | Expr::Index(a, b) => is_scalar(a) && is_scalar(b),
        Expr::List(_) | Expr::Object(_) | Expr::JsonEncode(_) | Expr::For { .. } => false,
    }
}

fn expr(e: &Expr, ctx: Ctx) -> String {
    match e {
        Expr::Null => "null".into(),
        Expr::Bool(b) => b.to_string(),
        Expr::Int(i) => i.to_string(),
        Expr::Float(f) if f.is_finite() => format!("{f}"),
        // HCL has no literal for NaN or the infinities.
        Expr::Float(_) => "null".into(),
        Expr::Str(s) => quote(s),
        Expr::Ref(r) => reference(r),
        Expr::List(items) => list(items, ctx),
        Expr::Object(kv) if ctx.inline => inline_object(kv),
        Expr::Object(kv) => object(kv, ctx.indent),
        Expr::Template(parts) => template(parts, ctx),
        Expr::JsonEncode(inner) => {
            let inner = expr(
                inner,
                Ctx {
                    col: ctx.col + 11,
                    trail: ctx.trail + 1,
                    ..ctx
                },
            );
            format!("jsonencode({inner})")
        }
        Expr::Call(f, args) => {
            let (open, close) = match f {
                Func::Length => ("length(", ")"),
                Func::CanRegex => ("can(regex(", "))"),
                Func::FileBase64Sha256 => ("filebase64sha256(", ")"),
            };
            let args: Vec<String> = args.iter().map(|a| expr(a, ctx.inline())).collect();
            format!("{open}{}{close}", args.join(", "))
        }
        Expr::For {
            var,
            coll,
            value,
            cond,
        } => {
            // `terraform fmt` spaces the keywords like identifiers: `in(x)`, `if(x)`, `if[x]` (but
            // `in [x]`), and `in - 1` / `if - 1` (a minus spaced as if it were binary).
            let keyword = |kw: &str, text: String| match text.strip_prefix('-') {
                Some(rest) => format!("{kw} - {rest}"),
                None if text.starts_with('(') || (kw == "if" && text.starts_with('[')) => {
                    format!("{kw}{text}")
                }
                None => format!("{kw} {text}"),
            };
            let mut s = format!("[for {var} {} : ", keyword("in", expr(coll, ctx.inline())));
            let col = ctx.col + s.chars().count();
            // A multi-line value after an object literal in the collection would make the first
            // line look like an attribute to `terraform fmt` (the `=` inside the literal, brackets
            // balanced after it), which it would then align: keep such a value on the line.
            let inline = ctx.inline || contains_object(coll);
            s.push_str(&expr(
                value,
                Ctx {
                    col,
                    trail: ctx.trail + 1,
                    inline,
                    ..ctx
                },
            ));
            if let Some(c) = cond {
                s.push(' ');
                s.push_str(&keyword("if", expr(c, ctx.inline())));
            }
            s.push(']');
            s
        }
        Expr::Eq(a, b) => format!("{} == {}", operand(a, ctx), operand(b, ctx)),
        Expr::Index(a, i) => {
            // `"s"[0]` and `x[true]` / `x[null]` are not stable under `terraform fmt` (it prints
            // `"s" [0]` and `x[]`); in parentheses they are.
            let base = match **a {
                Expr::Str(_) | Expr::Template(_) => format!("({})", expr(a, ctx.inline())),
                _ => operand(a, ctx),
            };
            let index = match **i {
                Expr::Bool(_) | Expr::Null => format!("({})", expr(i, ctx.inline())),
                _ => expr(i, ctx.inline()),
            };
            format!("{base}[{index}]")
        }
    }
}

/// An operand of `==` or `[]`: parenthesized when it is itself a comparison.
fn operand(e: &Expr, ctx: Ctx) -> String {
    let s = expr(e, ctx.inline());
    if matches!(e, Expr::Eq(..)) {
        format!("({s})")
    } else {
        s
    }
}

/// A reference as HCL (and Terraform JSON inside `${}`) writes it: `aws_vpc.main.id`, `var.x`.
pub(crate) fn reference(r: &Ref) -> String {
    let mut s = String::new();
    reference_into(&mut s, r);
    s
}

/// [`reference`], appended to `s`.
pub(crate) fn reference_into(s: &mut String, r: &Ref) {
    match &r.target {
        RefTarget::Block(a) => {
            if a.kind != Kind::Resource {
                s.push_str(a.kind.keyword());
                s.push('.');
            }
            s.push_str(&a.ty);
            s.push('.');
            s.push_str(&a.name);
        }
        RefTarget::Var(v) => {
            s.push_str("var.");
            s.push_str(v);
        }
        RefTarget::Local(v) => s.push_str(v),
    }
    for step in &r.path {
        match step {
            Step::Attr(a) if is_ident(a) => {
                s.push('.');
                s.push_str(a);
            }
            Step::Attr(a) | Step::Key(a) => {
                s.push('[');
                quote_into(s, a);
                s.push(']');
            }
            Step::Index(i) => {
                let _ = write!(s, "[{i}]");
            }
        }
    }
}

fn list(items: &[Expr], ctx: Ctx) -> String {
    if items.is_empty() {
        return "[]".into();
    }
    if ctx.inline || items.iter().all(is_scalar) {
        let parts: Vec<String> = items.iter().map(|i| expr(i, ctx.inline())).collect();
        let one = format!("[{}]", parts.join(", "));
        if ctx.inline
            || ctx
                .col
                .saturating_add(one.chars().count())
                .saturating_add(ctx.trail)
                <= MAX_WIDTH
        {
            return one;
        }
    }
    let mut s = String::from("[\n");
    let inner = ctx.indent + 1;
    for item in items {
        push_indent(&mut s, inner);
        s.push_str(&expr(
            item,
            Ctx {
                indent: inner,
                col: inner * 2,
                trail: 1,
                inline: false,
            },
        ));
        s.push_str(",\n");
    }
    push_indent(&mut s, ctx.indent);
    s.push(']');
    s
}

fn object(kv: &[(String, Expr)], indent: usize) -> String {
    if kv.is_empty() {
        return "{}".into();
    }
    let entries: Vec<Entry<'_>> = kv
        .iter()
        .map(|(k, v)| Entry::Attr {
            key: object_key(k),
            val: Val::Expr {
                e: Cow::Borrowed(v),
                top: false,
            },
        })
        .collect();
    let mut s = String::from("{\n");
    render_entries(&mut s, &entries, indent + 1);
    push_indent(&mut s, indent);
    s.push('}');
    s
}

/// Whether a non-empty object literal occurs in `e`.
fn contains_object(e: &Expr) -> bool {
    match e {
        Expr::Object(kv) => !kv.is_empty(),
        Expr::List(xs) | Expr::Template(xs) | Expr::Call(_, xs) => xs.iter().any(contains_object),
        Expr::JsonEncode(x) => contains_object(x),
        Expr::For {
            coll, value, cond, ..
        } => {
            contains_object(coll)
                || contains_object(value)
                || cond.as_deref().is_some_and(contains_object)
        }
        Expr::Eq(a, b) | Expr::Index(a, b) => contains_object(a) || contains_object(b),
        Expr::Null
        | Expr::Bool(_)
        | Expr::Int(_)
        | Expr::Float(_)
        | Expr::Str(_)
        | Expr::Ref(_) => false,
    }
}

/// An object on one line, for places where a multi-line value would not format canonically
/// (function arguments, `for` collections, conditions, interpolations).
fn inline_object(kv: &[(String, Expr)]) -> String {
    if kv.is_empty() {
        return "{}".into();
    }
    let ctx = Ctx {
        indent: 0,
        col: 0,
        trail: 0,
        inline: true,
    };
    let items: Vec<String> = kv
        .iter()
        .map(|(k, v)| format!("{} = {}", object_key(k), expr(v, ctx)))
        .collect();
    format!("{{ {} }}", items.join(", "))
}

fn template(parts: &[Expr], ctx: Ctx) -> String {
    let parts = template_parts(parts);
    let mut s = String::from("\"");
    for (i, p) in parts.iter().enumerate() {
        match &**p {
            // a literal `$` right before an interpolation would read as the `$${` escape: the
            // trailing run of `$` goes into an interpolated string literal instead
            Expr::Str(lit) if lit.ends_with('$') && i + 1 < parts.len() => {
                let head = lit.trim_end_matches('$');
                escape_into(&mut s, head);
                s.push_str("${\"");
                s.push_str(&lit[head.len()..]);
                s.push_str("\"}");
            }
            Expr::Str(lit) => escape_into(&mut s, lit),
            p => {
                s.push_str("${");
                let inner = expr(p, ctx.inline());
                // `terraform fmt` spaces a minus right after `${` (`${- 1}`) and a brace next to
                // either delimiter (`${ {} }`, `${x == {} }`).
                if let Some(rest) = inner.strip_prefix('-') {
                    s.push_str("- ");
                    s.push_str(rest);
                } else {
                    if inner.starts_with('{') {
                        s.push(' ');
                    }
                    s.push_str(&inner);
                }
                if inner.ends_with('}') {
                    s.push(' ');
                }
                s.push('}');
            }
        }
    }
    s.push('"');
    s
}

// ------------------------------------------------------------------------------------------------
// widths
// ------------------------------------------------------------------------------------------------

/// Grapheme cluster break classes (UAX #29) of the characters this printer can classify.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Gcb {
    Other,
    Control,
    Extend,
    Zwj,
    RegionalIndicator,
    L,
    V,
    T,
    Lv,
    Lvt,
}

/// The break class of `c`, or None for characters of scripts with spacing marks, prepended
/// characters or conjuncts, which this printer does not model.
fn gcb(c: char) -> Option<Gcb> {
    use Gcb::*;
    let u = c as u32;
    Some(match u {
        0xAD => Control,
        _ if c.is_control() => Control,
        0x0000..=0x02FF => Other,
        0x0300..=0x036F => Extend,
        0x0370..=0x0482 => Other,
        0x0483..=0x0489 => Extend,
        0x048A..=0x058F => Other,
        0x10A0..=0x10FF => Other,
        0x1100..=0x115F => L,
        0x1160..=0x11A7 => V,
        0x11A8..=0x11FF => T,
        0x13A0..=0x167F => Other,
        0x1C80..=0x1C8F => Other,
        0x1D00..=0x1DBF => Other,
        0x1DC0..=0x1DFF => Extend,
        0x1E00..=0x1FFF => Other,
        0x200B | 0x200E | 0x200F | 0x2028..=0x202E | 0x2060..=0x206F => Control,
        0x200C => Extend,
        0x200D => Zwj,
        0x2000..=0x20CF => Other,
        0x20D0..=0x20F0 => Extend,
        0x2100..=0x2BFF => Other,
        0x2C00..=0x2CEE => Other,
        0x2CEF..=0x2CF1 => Extend,
        0x2CF2..=0x2D7E => Other,
        0x2D7F => Extend,
        0x2D80..=0x2DDF => Other,
        0x2DE0..=0x2DFF => Extend,
        0x2E00..=0x3029 => Other,
        0x302A..=0x302F => Extend,
        0x3030..=0x3098 => Other,
        0x3099..=0x309A => Extend,
        0x309B..=0x9FFF => Other,
        0xA000..=0xA4FF => Other,
        0xA960..=0xA97C => L,
        0xAC00..=0xD7A3 if (u - 0xAC00) % 28 == 0 => Lv,
        0xAC00..=0xD7A3 => Lvt,
        0xD7B0..=0xD7C6 => V,
        0xD7CB..=0xD7FB => T,
        0xF900..=0xFB17 => Other,
        0xFE00..=0xFE0F => Extend,
        0xFE10..=0xFE1F => Other,
        0xFE20..=0xFE2F => Extend,
        0xFE30..=0xFE6F => Other,
        0xFEFF => Control,
        0xFF00..=0xFF9D => Other,
        0xFF9E..=0xFF9F => Extend,
        0xFFA0..=0xFFEF => Other,
        0xFFF0..=0xFFFB => Control,
        0xFFFC..=0xFFFD => Other,
        0x1F1E6..=0x1F1FF => RegionalIndicator,
        0x1F3FB..=0x1F3FF => Extend,
        0x1F000..=0x1FAFF => Other,
        0x20000..=0x3FFFF => Other,
        0xE0020..=0xE007F | 0xE0100..=0xE01EF => Extend,
        0xE0000..=0xE0FFF => Control,
        _ => return None,
    })
}

/// Whether `c` is Extended_Pictographic (joins emoji ZWJ sequences); None where not modelled.
fn ext_pict(c: char) -> Option<bool> {
    let u = c as u32;
    Some(match u {
        0x1F000..=0x1F0FF
        | 0x1F10D..=0x1F10F
        | 0x1F12F
        | 0x1F16C..=0x1F171
        | 0x1F17E..=0x1F17F
        | 0x1F18E
        | 0x1F191..=0x1F19A
        | 0x1F1AD..=0x1F1E5
        | 0x1F201..=0x1F20F
        | 0x1F21A
        | 0x1F22F
        | 0x1F232..=0x1F23A
        | 0x1F23C..=0x1F23F
        | 0x1F249..=0x1F3FA
        | 0x1F400..=0x1F53D
        | 0x1F546..=0x1F64F
        | 0x1F680..=0x1F6FF
        | 0x1F774..=0x1F77F
        | 0x1F7D5..=0x1F7FF
        | 0x1F80C..=0x1F80F
        | 0x1F848..=0x1F84F
        | 0x1F85A..=0x1F85F
        | 0x1F888..=0x1F88F
        | 0x1F8AE..=0x1F8FF
        | 0x1F90C..=0x1F93A
        | 0x1F93C..=0x1F945
        | 0x1F947..=0x1FAFF => true,
        0xA9 | 0xAE | 0x2000..=0x2BFF | 0x3030 | 0x303D | 0x3297 | 0x3299 => return None,
        _ => false,
    })
}

/// The width `terraform fmt` gives a name when aligning: its number of grapheme clusters;
/// None when that is not known for sure.
fn grapheme_width(s: &str) -> Option<usize> {
    if s.is_ascii() {
        return Some(s.len());
    }
    let mut count = 0;
    let mut prev: Option<Gcb> = None;
    // The last character before a run of Extend (for emoji ZWJ sequences).
    let mut base: Option<char> = None;
    let mut ri_run = 0usize;
    for c in s.chars() {
        let g = gcb(c)?;
        let joins = match (prev, g) {
            (None, _) => false,
            (Some(Gcb::Control), _) | (_, Gcb::Control) => false,
            (Some(Gcb::L), Gcb::L | Gcb::V | Gcb::Lv | Gcb::Lvt) => true,
            (Some(Gcb::Lv | Gcb::V), Gcb::V | Gcb::T) => true,
            (Some(Gcb::Lvt | Gcb::T), Gcb::T) => true,
            (_, Gcb::Extend | Gcb::Zwj) => true,
            (Some(Gcb::Zwj), _) => match base {
                Some(b) => ext_pict(b)? && ext_pict(c)?,
                None => false,
            },
            (Some(Gcb::RegionalIndicator), Gcb::RegionalIndicator) => ri_run & 1 == 1,
            _ => false,
        };
        if !joins {
            count += 1;
        }
        ri_run = if g == Gcb::RegionalIndicator {
            ri_run + 1
        } else {
            0
        };
        if !matches!(g, Gcb::Extend | Gcb::Zwj) {
            base = Some(c);
        }
        prev = Some(g);
    }
    Some(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Body, ScannerSkip};
    use crate::source::Span;

    fn block(addr: Address, body: Body) -> Block {
        Block {
            addr,
            body,
            concern: Concern::Storage,
            span: Span::default(),
            origin: "x".into(),
            depends_on: vec![],
            skips: vec![],
            comment: None,
            provider: None,
        }
    }

    #[test]
    fn escapes_template_sequences() {
        assert_eq!(
            quote("${aws:PrincipalTag/Team}"),
            r#""$${aws:PrincipalTag/Team}""#
        );
        assert_eq!(quote("%{if x}"), r#""%%{if x}""#);
        assert_eq!(quote("$${x}"), r#""$$${x}""#);
        assert_eq!(quote("a $ b % c {d}"), r#""a $ b % c {d}""#);
        assert_eq!(quote("$"), r#""$""#);
    }

    #[test]
    fn escapes_quotes_backslashes_controls() {
        assert_eq!(quote(r#"say "hi""#), r#""say \"hi\"""#);
        assert_eq!(quote(r"C:\dir\"), r#""C:\\dir\\""#);
        assert_eq!(quote("a\nb\r\tc"), r#""a\nb\r\tc""#);
        assert_eq!(quote("\u{0}\u{1b}\u{7f}"), r#""\u0000\u001B\u007F""#);
    }

    #[test]
    fn unicode_is_printed_as_is() {
        assert_eq!(quote("é日本🇺🇸"), "\"é日本🇺🇸\"");
    }

    #[test]
    fn refs() {
        let vpc = Address::resource("aws_vpc", "main");
        assert_eq!(expr_to_string(&vpc.attr("id")), "aws_vpc.main.id");
        let azs = Address::data("aws_availability_zones", "available");
        assert_eq!(
            expr_to_string(&azs.path(vec![Step::Attr("names".into()), Step::Index(0)])),
            "data.aws_availability_zones.available.names[0]"
        );
        assert_eq!(expr_to_string(&Expr::var("x")), "var.x");
        let local = Expr::Ref(Ref {
            target: RefTarget::Local("s".into()),
            path: vec![
                Step::Key("a\"b".into()),
                Step::Attr("id".into()),
                Step::Attr("not ident".into()),
            ],
        });
        assert_eq!(expr_to_string(&local), r#"s["a\"b"].id["not ident"]"#);
    }

    #[test]
    fn templates() {
        let t = Expr::Template(vec![
            Expr::str("arn:${x}:"),
            Expr::var("name"),
            Expr::str("/*"),
            Expr::Template(vec![
                Expr::str("-"),
                Address::resource("aws_s3_bucket", "b").attr("id"),
            ]),
        ]);
        assert_eq!(
            expr_to_string(&t),
            r#""arn:$${x}:${var.name}/*-${aws_s3_bucket.b.id}""#
        );
        // Kept as a template inside expressions; an attribute's whole value is printed bare.
        let single = Expr::Template(vec![Expr::str(""), Expr::var("x")]);
        assert_eq!(expr_to_string(&single), r#""${var.x}""#);
        let body = Body::new()
            .attr("a", single.clone())
            .attr("bb", Expr::obj([("k", single)]));
        let out = emit(&Module {
            resources: vec![block(Address::resource("t", "n"), body)],
            ..Module::default()
        });
        let storage = &out.iter().find(|(p, _)| p == "storage.tf").unwrap().1;
        assert_eq!(
            storage,
            "resource \"t\" \"n\" {\n  a = var.x\n  bb = {\n    k = \"${var.x}\"\n  }\n}\n"
        );
    }

    #[test]
    fn calls_for_eq_index() {
        let v = Expr::var("v");
        assert_eq!(
            expr_to_string(&Expr::Call(Func::Length, vec![v.clone()])),
            "length(var.v)"
        );
        assert_eq!(
            expr_to_string(&Expr::Call(
                Func::CanRegex,
                vec![Expr::str("^a$"), v.clone()]
            )),
            r#"can(regex("^a$", var.v))"#
        );
        assert_eq!(
            expr_to_string(&Expr::Call(
                Func::FileBase64Sha256,
                vec![Expr::str("f.zip")]
            )),
            r#"filebase64sha256("f.zip")"#
        );
        let s = Expr::Ref(Ref {
            target: RefTarget::Local("s".into()),
            path: vec![],
        });
        let f = Expr::For {
            var: "s".into(),
            coll: Box::new(v.clone()),
            value: Box::new(s.clone()),
            cond: Some(Box::new(Expr::Eq(
                Box::new(s.clone()),
                Box::new(Expr::str("a")),
            ))),
        };
        assert_eq!(expr_to_string(&f), r#"[for s in var.v : s if s == "a"]"#);
        assert_eq!(
            expr_to_string(&Expr::Index(Box::new(v), Box::new(Expr::Int(-1)))),
            "var.v[-1]"
        );
        assert_eq!(
            expr_to_string(&Expr::JsonEncode(Box::new(Expr::obj([("a", Expr::Null)])))),
            "jsonencode({\n  a = null\n})"
        );
    }

    #[test]
    fn lists_and_objects() {
        assert_eq!(expr_to_string(&Expr::list_str(["a", "b"])), r#"["a", "b"]"#);
        let long = Expr::list_str((0..12).map(|i| format!("item-number-{i}")));
        let printed = expr_to_string(&long);
        assert!(
            printed.starts_with("[\n  \"item-number-0\",\n"),
            "{printed}"
        );
        assert!(printed.ends_with("\"item-number-11\",\n]"), "{printed}");
        let obj = Expr::obj([
            ("a", Expr::Int(1)),
            ("aws:SourceVpc", Expr::Bool(true)),
            ("null", Expr::Float(1.5)),
        ]);
        assert_eq!(
            expr_to_string(&obj),
            "{\n  a               = 1\n  \"aws:SourceVpc\" = true\n  \"null\"          = 1.5\n}"
        );
        assert_eq!(expr_to_string(&Expr::Object(vec![])), "{}");
        assert_eq!(expr_to_string(&Expr::List(vec![])), "[]");
    }

    #[test]
    fn alignment_runs_are_broken_by_multiline_values_and_blocks() {
        let body = Body::new()
            .attr("a", Expr::Int(1))
            .attr("bbbb", Expr::Int(2))
            .attr("tags", Expr::obj([("Name", Expr::str("x"))]))
            .attr("cc", Expr::Int(3))
            .block("nested", Body::new())
            .attr("d", Expr::Int(4))
            .attr("eeeee", Expr::list_str(["x"]));
        let out = render_top(&Entry::block("locals".into(), vec![], body_entries(&body)));
        assert_eq!(
            out,
            "locals {\n  a    = 1\n  bbbb = 2\n  tags = {\n    Name = \"x\"\n  }\n  cc = 3\n  nested {}\n  d     = 4\n  eeeee = [\"x\"]\n}\n"
        );
    }

    #[test]
    fn grapheme_widths() {
        assert_eq!(grapheme_width("\"é\""), Some(3));
        assert_eq!(grapheme_width("\"e\u{301}\""), Some(3));
        assert_eq!(grapheme_width("\"🇺🇸🇬\""), Some(4));
        assert_eq!(grapheme_width("\"👨\u{200d}👩\u{200d}👧\""), Some(3));
        assert_eq!(grapheme_width("\"a\u{200d}b\""), Some(4));
        assert_eq!(grapheme_width("\"각\""), Some(3));
        assert_eq!(grapheme_width("\"\u{1100}\u{1161}\u{11a8}\""), Some(3));
        assert_eq!(grapheme_width("\"日本語\""), Some(5));
        assert_eq!(grapheme_width("\"नमस्ते\""), None);
    }

    #[test]
    fn skip_comments() {
        let mut b = block(
            Address::resource("aws_s3_bucket", "logs"),
            Body::new().attr("bucket", Expr::str("l")),
        );
        b.comment = Some("Access logs.\nSecond line".into());
        b.skips = vec![
            ScannerSkip {
                id: "CKV_AWS_144".into(),
                reason: "no\nreplication   needed ".into(),
            },
            ScannerSkip {
                id: "AVD-AWS-0089".into(),
                reason: "logs of logs".into(),
            },
            ScannerSkip {
                id: "CKV2_AWS_62".into(),
                reason: "".into(),
            },
        ];
        b.depends_on = vec![
            Address::resource("aws_kms_key", "k"),
            Address::data("aws_iam_policy_document", "p"),
        ];
        assert_eq!(
            top_block(&b),
            "# Access logs.\n# Second line\n#trivy:ignore:AVD-AWS-0089\nresource \"aws_s3_bucket\" \"logs\" {\n  \
             #checkov:skip=CKV_AWS_144:no replication needed\n  #checkov:skip=CKV2_AWS_62\n  \
             bucket     = \"l\"\n  depends_on = [aws_kms_key.k, data.aws_iam_policy_document.p]\n}\n"
        );
    }

    #[test]
    fn empty_module_files() {
        let out = emit(&Module::default());
        let names: Vec<&str> = out.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(names, ["versions.tf", "providers.tf"]);
        assert_eq!(out[0].1, "terraform {}\n");
        assert!(out
            .iter()
            .all(|(_, c)| c.ends_with('\n') && !c.ends_with("\n\n")));
    }
}
