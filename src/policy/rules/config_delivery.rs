//! ZT0129 `config-delivery`: a created Config recorder has somewhere to deliver (C35).

use super::monitoring_presets::topic_ref;
use super::util::{scope, value_span};
use crate::diag::{Diagnostic, Severity};
use crate::policy::packs::PackRef;
use crate::policy::{Ctx, Rule, RuleMeta};
use crate::spec::{Profile, RecorderMode};

/// `recorder: create` without a bucket of this spec or with an unknown topic (error); `existing`
/// with a bucket or topic, which are ignored (warning).
pub struct ConfigDelivery;

static META: RuleMeta = RuleMeta {
    code: "ZT0129",
    slug: "config-delivery",
    severity: Severity::Error,
    pci: &["10.2.1", "10.5.1"],
    packs: &[
        PackRef::mandatory(Profile::PciDssV4, &["10.2.1", "10.5.1"], Severity::Error),
        PackRef::mandatory(Profile::Soc2, &["CC7.1"], Severity::Error),
        PackRef::mandatory(Profile::ZeroTrust, &["ZTB-MON-2"], Severity::Error),
    ],
    summary: "AWS Config needs a delivery bucket of this spec when the stack creates the recorder",
    explain: r##"## What it does

- **Error** when `config.recorder` is `create` and `bucket` is missing or is not `buckets.NAME` of
  this spec.
- **Error** when `config.topic` is not `topics.NAME` of this spec.
- **Warning** when `config.recorder` is `existing` and `bucket` or `topic` is given: the delivery
  channel belongs to whoever owns the recorder, so they are ignored.

## Why

A configuration recorder cannot start without a delivery channel, and the channel needs an S3
bucket. ztc writes the delivery permissions into the Config role's managed policy
(`s3:PutObject` on `AWSLogs/<account>/*`, `s3:GetBucketAcl`, and `kms:GenerateDataKey` /
`kms:Decrypt` on the bucket's key), which only works for a bucket and key it manages. For a
bucket in the same account Config delivers with that role, so the bucket needs no
`log_delivery: [config]` grant (it does no harm either). The
configuration history is audit evidence and must be retained like the other audit logs.

## Example

```yaml
config:
  recorder: create
  rules: {S3_BUCKET_VERSIONING_ENABLED: {}}
```

## Fix

```yaml
buckets:
  config-history: {key: keys.audit}
config:
  recorder: create
  bucket: buckets.config-history
  rules: {S3_BUCKET_VERSIONING_ENABLED: {}}
```

## References

- PCI DSS v4.0.1 10.2.1 (audit logs enabled), 10.5.1 (audit log history retained)
- AWS Config Developer Guide: "Managing the delivery channel", "Permissions for the Amazon S3 bucket"
- REQUIREMENTS C35
"##,
};

impl Rule for ConfigDelivery {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
        let spec = cx.spec;
        let Some(c) = &spec.config else { return };
        let sc = scope(&["config"]);
        let buckets: Vec<String> = spec
            .buckets
            .keys()
            .map(|b| format!("buckets.{b}"))
            .collect();
        let topics: Vec<String> = spec.topics.keys().map(|t| format!("topics.{t}")).collect();
        let suggest =
            |got: &str, wanted: &[String], section: &str| match crate::validate::did_you_mean(
                got, wanted,
            ) {
                Some(s) => format!("did you mean `{s}`?"),
                None if wanted.is_empty() => {
                    format!("define it under `{section}:` and write `{section}.NAME`")
                }
                None => format!("expected one of: {}", wanted.join(", ")),
            };
        match c.recorder {
            RecorderMode::Create => {
                match &c.bucket {
                    None => out.push(
                        Diagnostic::new(
                            META.code,
                            Severity::Error,
                            "`config.recorder: create` needs a delivery `bucket`",
                        )
                        .at(value_span(cx, &["config", "recorder"]))
                        .label("no delivery bucket")
                        .help("add `bucket: buckets.NAME` under `config` (a bucket of this spec)")
                        .scope(sc.clone()),
                    ),
                    Some(b) => {
                        let ok = b
                            .strip_prefix("buckets.")
                            .is_some_and(|n| spec.buckets.contains_key(n));
                        if !ok {
                            out.push(
                                Diagnostic::new(
                                    META.code,
                                    Severity::Error,
                                    format!("`{b}` is not a bucket of this spec"),
                                )
                                .at(value_span(cx, &["config", "bucket"]))
                                .label("unknown bucket")
                                .help(suggest(b, &buckets, "buckets"))
                                .scope(sc.clone()),
                            );
                        }
                    }
                }
                if let Some(t) = &c.topic {
                    if topic_ref(spec, t).is_none() {
                        out.push(
                            Diagnostic::new(
                                META.code,
                                Severity::Error,
                                format!("`{t}` is not a topic of this spec"),
                            )
                            .at(value_span(cx, &["config", "topic"]))
                            .label("unknown topic")
                            .help(suggest(t, &topics, "topics"))
                            .scope(sc.clone()),
                        );
                    }
                }
            }
            RecorderMode::Existing => {
                for field in ["bucket", "topic"] {
                    let given = match field {
                        "bucket" => c.bucket.is_some(),
                        _ => c.topic.is_some(),
                    };
                    if !given {
                        continue;
                    }
                    out.push(
                        Diagnostic::new(
                            META.code,
                            Severity::Warning,
                            format!("`config.{field}` is ignored with `recorder: existing`"),
                        )
                        .at(value_span(cx, &["config", field]))
                        .label("ignored")
                        .help(
                            "the existing recorder's delivery channel decides where snapshots and notifications go; \
                             remove this field, or use `recorder: create`",
                        )
                        .scope(sc.clone()),
                    );
                }
            }
        }
    }
}
