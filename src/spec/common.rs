use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A deployment variable: the value is supplied at deploy time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VarSpec {
    /// Variable name (snake_case).
    #[schemars(regex(pattern = r"^[a-z][a-z0-9_]*$"))]
    pub var: String,
    /// Default value.
    #[serde(default)]
    pub default: Option<serde_json::Value>,
    /// What the variable is for.
    #[serde(default)]
    pub description: Option<String>,
    /// Secret: never printed in plans or outputs.
    #[serde(default)]
    pub sensitive: bool,
}

/// A string, or a deployment variable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum StrOrVar {
    /// A literal string.
    Lit(String),
    /// A deployment variable.
    Var(VarSpec),
}

/// A port number, or a deployment variable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum PortOrVar {
    /// A port number.
    Port(#[schemars(range(min = 0, max = 65535))] u32),
    /// A range `FROM-TO`, e.g. `1024-65535`.
    Range(#[schemars(regex(pattern = r"^[0-9]{1,5}-[0-9]{1,5}$"))] String),
    /// A deployment variable holding a port.
    Var(VarSpec),
}

/// A duration: seconds/days as a number, or sugar like `1h`, `90d`, `7y`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Duration {
    /// A plain number in the field's unit.
    Num(i64),
    /// A number with a unit: `s`, `m` (minutes), `h`, `d`, `y`.
    Text(#[schemars(regex(pattern = r"^[0-9]+[smhdy]$"))] String),
}

impl Duration {
    /// Interpret as days. Years map to AWS's calendar-day values (`7y` = 2557 days).
    pub fn days(&self) -> Option<i64> {
        match self {
            Duration::Num(n) => Some(*n),
            Duration::Text(t) => {
                let (n, unit) = t.split_at(t.len() - 1);
                let n: i64 = n.parse().ok()?;
                match unit {
                    "d" => Some(n),
                    // CloudWatch Logs' own year values (leap days included)
                    "y" => Some(match n {
                        1 => 365,
                        2 => 731,
                        3 => 1096,
                        5 => 1827,
                        6 => 2192,
                        7 => 2557,
                        8 => 2922,
                        9 => 3288,
                        10 => 3653,
                        n => n * 365 + n / 4,
                    }),
                    _ => None,
                }
            }
        }
    }
    /// Interpret as seconds.
    pub fn seconds(&self) -> Option<i64> {
        match self {
            Duration::Num(n) => Some(*n),
            Duration::Text(t) => {
                let (n, unit) = t.split_at(t.len() - 1);
                let n: i64 = n.parse().ok()?;
                match unit {
                    "s" => Some(n),
                    "m" => Some(n * 60),
                    "h" => Some(n * 3600),
                    "d" => Some(n * 86400),
                    _ => None,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Duration;
    #[test]
    fn years_match_aws_retention_values() {
        let d = |s: &str| Duration::Text(s.into()).days().unwrap();
        assert_eq!(d("1y"), 365);
        assert_eq!(d("2y"), 731);
        assert_eq!(d("5y"), 1827);
        assert_eq!(d("7y"), 2557);
        assert_eq!(d("10y"), 3653);
        assert_eq!(Duration::Text("1h".into()).seconds(), Some(3600));
    }
}
