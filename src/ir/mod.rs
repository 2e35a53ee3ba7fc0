//! The intermediate representation: a Terraform-shaped resource graph in the hashicorp/aws
//! provider's vocabulary. Targets print it; nothing here knows about a target's syntax.

use crate::source::Span;

/// Which file (concern) of a module an item belongs to. Printers may use it to split output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Concern {
    Networking,
    Security,
    Storage,
    Monitoring,
    Compliance,
}

impl Concern {
    pub const ALL: [Concern; 5] = [
        Concern::Networking,
        Concern::Security,
        Concern::Storage,
        Concern::Monitoring,
        Concern::Compliance,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Concern::Networking => "networking",
            Concern::Security => "security",
            Concern::Storage => "storage",
            Concern::Monitoring => "monitoring",
            Concern::Compliance => "compliance",
        }
    }
}

/// `resource`, `data` or `ephemeral` (Terraform >= 1.10: read at every run, never kept in the
/// plan or the state).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Resource,
    Data,
    Ephemeral,
}

impl Kind {
    /// The block keyword: `resource`, `data`, `ephemeral`.
    pub fn keyword(self) -> &'static str {
        match self {
            Kind::Resource => "resource",
            Kind::Data => "data",
            Kind::Ephemeral => "ephemeral",
        }
    }
}

/// The address of a resource or data source: `aws_vpc.main`, `data.aws_region.current`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Address {
    pub kind: Kind,
    pub ty: String,
    pub name: String,
}

impl Address {
    pub fn resource(ty: &str, name: &str) -> Self {
        Address {
            kind: Kind::Resource,
            ty: ty.into(),
            name: name.into(),
        }
    }
    pub fn data(ty: &str, name: &str) -> Self {
        Address {
            kind: Kind::Data,
            ty: ty.into(),
            name: name.into(),
        }
    }
    pub fn ephemeral(ty: &str, name: &str) -> Self {
        Address {
            kind: Kind::Ephemeral,
            ty: ty.into(),
            name: name.into(),
        }
    }
    /// `aws_vpc.main` / `data.aws_region.current` / `ephemeral.aws_secretsmanager_random_password.db`.
    pub fn tf(&self) -> String {
        match self.kind {
            Kind::Resource => format!("{}.{}", self.ty, self.name),
            k => format!("{}.{}.{}", k.keyword(), self.ty, self.name),
        }
    }
    /// Reference an attribute path of this block.
    pub fn attr(&self, attr: &str) -> Expr {
        Expr::Ref(Ref {
            target: RefTarget::Block(self.clone()),
            path: vec![Step::Attr(attr.into())],
        })
    }
    pub fn path(&self, path: Vec<Step>) -> Expr {
        Expr::Ref(Ref {
            target: RefTarget::Block(self.clone()),
            path,
        })
    }
}

/// One step of an attribute path.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Attr(String),
    Index(i64),
    Key(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum RefTarget {
    Block(Address),
    /// `var.NAME`
    Var(String),
    /// A `for` iteration variable.
    Local(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ref {
    pub target: RefTarget,
    pub path: Vec<Step>,
}

/// A value. String literals are data, never code: every printer escapes them.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Expr>),
    /// An object/map value with string keys, in the order given.
    Object(Vec<(String, Expr)>),
    Ref(Ref),
    /// String interpolation: the concatenation of the parts.
    Template(Vec<Expr>),
    /// A JSON document built from an expression (`jsonencode` / `fn::toJSON`).
    JsonEncode(Box<Expr>),
    /// A call of a function every target can express.
    Call(Func, Vec<Expr>),
    /// `[for v in coll : value if cond]`
    For {
        var: String,
        coll: Box<Expr>,
        value: Box<Expr>,
        cond: Option<Box<Expr>>,
    },
    /// `left == right`
    Eq(Box<Expr>, Box<Expr>),
    /// `expr[index]`
    Index(Box<Expr>, Box<Expr>),
}

/// Functions the IR may call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    /// `can(regex(pattern, s))` style check used in variable validations: `length(x)`.
    Length,
    /// `can(regex(p, s))`
    CanRegex,
    /// `filebase64sha256(path)`
    FileBase64Sha256,
}

impl Expr {
    pub fn str(s: impl Into<String>) -> Expr {
        Expr::Str(s.into())
    }
    pub fn var(name: &str) -> Expr {
        Expr::Ref(Ref {
            target: RefTarget::Var(name.into()),
            path: vec![],
        })
    }
    pub fn list_str<I: IntoIterator<Item = S>, S: Into<String>>(items: I) -> Expr {
        Expr::List(items.into_iter().map(|s| Expr::Str(s.into())).collect())
    }
    pub fn obj<I: IntoIterator<Item = (K, Expr)>, K: Into<String>>(items: I) -> Expr {
        Expr::Object(items.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }
    /// Concatenate parts into a template, folding adjacent literals; a single part stays itself.
    pub fn concat(parts: Vec<Expr>) -> Expr {
        let mut out: Vec<Expr> = Vec::new();
        for p in parts {
            match (out.last_mut(), p) {
                (Some(Expr::Str(a)), Expr::Str(b)) => a.push_str(&b),
                (_, Expr::Template(inner)) => out.extend(inner),
                (_, p) => out.push(p),
            }
        }
        match out.len() {
            0 => Expr::Str(String::new()),
            1 if matches!(out[0], Expr::Str(_)) => out.pop().unwrap_or(Expr::Null),
            _ => Expr::Template(out),
        }
    }
    /// Every block address this expression refers to.
    pub fn refs(&self, out: &mut Vec<Address>) {
        match self {
            Expr::Ref(Ref {
                target: RefTarget::Block(a),
                ..
            }) => out.push(a.clone()),
            Expr::List(xs) | Expr::Template(xs) | Expr::Call(_, xs) => {
                xs.iter().for_each(|x| x.refs(out))
            }
            Expr::Object(kv) => kv.iter().for_each(|(_, v)| v.refs(out)),
            Expr::JsonEncode(x) => x.refs(out),
            Expr::For {
                coll, value, cond, ..
            } => {
                coll.refs(out);
                value.refs(out);
                if let Some(c) = cond {
                    c.refs(out);
                }
            }
            Expr::Eq(a, b) | Expr::Index(a, b) => {
                a.refs(out);
                b.refs(out);
            }
            _ => {}
        }
    }
}

/// The body of a block: attributes and nested blocks, in print order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Body {
    pub items: Vec<(String, Item)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Attr(Expr),
    Block(Body),
}

impl Body {
    pub fn new() -> Self {
        Body::default()
    }
    pub fn attr(mut self, name: &str, value: Expr) -> Self {
        self.items.push((name.into(), Item::Attr(value)));
        self
    }
    pub fn attr_opt(self, name: &str, value: Option<Expr>) -> Self {
        match value {
            Some(v) => self.attr(name, v),
            None => self,
        }
    }
    pub fn block(mut self, name: &str, body: Body) -> Self {
        self.items.push((name.into(), Item::Block(body)));
        self
    }
    pub fn push_attr(&mut self, name: &str, value: Expr) {
        self.items.push((name.into(), Item::Attr(value)));
    }
    pub fn push_block(&mut self, name: &str, body: Body) {
        self.items.push((name.into(), Item::Block(body)));
    }
    pub fn get(&self, name: &str) -> Option<&Item> {
        self.items.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
    pub fn get_attr(&self, name: &str) -> Option<&Expr> {
        match self.get(name) {
            Some(Item::Attr(e)) => Some(e),
            _ => None,
        }
    }
    pub fn blocks<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Body> + 'a {
        self.items.iter().filter_map(move |(k, v)| match v {
            Item::Block(b) if k == name => Some(b),
            _ => None,
        })
    }
    pub fn refs(&self, out: &mut Vec<Address>) {
        for (_, item) in &self.items {
            match item {
                Item::Attr(e) => e.refs(out),
                Item::Block(b) => b.refs(out),
            }
        }
    }
}

/// A scanner check that the spec waived, carried into the target as a skip annotation.
#[derive(Debug, Clone, PartialEq)]
pub struct ScannerSkip {
    /// Scanner check id, e.g. `CKV_AWS_144`.
    pub id: String,
    pub reason: String,
}

/// A resource or data source.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub addr: Address,
    pub body: Body,
    pub concern: Concern,
    /// The spec node that caused this block.
    pub span: Span,
    /// Spec path of that node (`buckets.audit-logs`), for reports and metadata.
    pub origin: String,
    pub depends_on: Vec<Address>,
    pub skips: Vec<ScannerSkip>,
    /// A one-line comment printed above the block where the target allows comments.
    pub comment: Option<String>,
    /// Alias of the provider configuration this block uses (`provider = aws.<alias>`);
    /// `None` for the default provider.
    pub provider: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VarType {
    String,
    Number,
    Bool,
    ListString,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Validation {
    pub condition: Expr,
    pub error_message: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    pub name: String,
    pub ty: VarType,
    pub description: String,
    pub default: Option<Expr>,
    pub sensitive: bool,
    pub validations: Vec<Validation>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    pub name: String,
    pub description: String,
    pub value: Expr,
    pub sensitive: bool,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProviderReq {
    pub name: String,
    pub source: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Provider {
    pub name: String,
    pub alias: Option<String>,
    pub body: Body,
}

/// A file emitted beside the infrastructure code (function sources, deployment zips), at a
/// path relative to the root module / stack / project directory of every target.
#[derive(Debug, Clone, PartialEq)]
pub struct Asset {
    pub path: String,
    pub contents: Vec<u8>,
}

/// Remote state in S3 (the bucket and lock table must exist before `init`).
#[derive(Debug, Clone, PartialEq)]
pub struct Backend {
    pub bucket: String,
    pub key: String,
    pub region: String,
    pub kms_key_id: Option<String>,
    pub dynamodb_table: Option<String>,
}

/// The whole lowered module.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Module {
    /// Remote state backend; local state when `None`.
    pub backend: Option<Backend>,
    /// HCL two-file layout (settings file, resources file); one file per concern when `None`.
    pub hcl_files: Option<(String, String)>,
    pub name: String,
    pub required_version: String,
    pub providers_required: Vec<ProviderReq>,
    pub providers: Vec<Provider>,
    pub variables: Vec<Variable>,
    /// Data sources and ephemeral resources (what is read, not managed), by address.
    pub data: Vec<Block>,
    pub resources: Vec<Block>,
    pub outputs: Vec<Output>,
    /// Notes for the human reader (manual steps, documented lowerings).
    pub notes: Vec<String>,
    pub assets: Vec<Asset>,
}

impl Module {
    pub fn blocks(&self) -> impl Iterator<Item = &Block> {
        self.data.iter().chain(self.resources.iter())
    }
    pub fn find(&self, addr: &Address) -> Option<&Block> {
        self.blocks().find(|b| &b.addr == addr)
    }
    pub fn resources_of<'a>(&'a self, ty: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
        self.resources.iter().filter(move |b| b.addr.ty == ty)
    }
}
