//! Competency frameworks: trees of competencies (ALA's Core Competences, the LSSC sets, the CPLA
//! areas), each named elsewhere as `FRAMEWORK:CODE`.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The whole of a bundle's `competencies.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Frameworks {
    pub frameworks: Vec<Framework>,
}

/// One framework and its tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Framework {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub competencies: Vec<Competency>,
}

/// One competency and the finer ones under it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Competency {
    pub code: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(no_recursion)]
    pub children: Vec<Competency>,
}

/// A competency seen flat: where it sits in its tree.
#[derive(Debug, Clone, PartialEq)]
pub struct FlatCompetency<'a> {
    pub framework: &'a str,
    pub parent: Option<&'a str>,
    pub competency: &'a Competency,
}

impl Framework {
    /// Every competency of the tree, parents before children, in document order.
    pub fn flatten(&self) -> Vec<FlatCompetency<'_>> {
        let mut out = Vec::new();
        let mut stack: Vec<(Option<&str>, &Competency)> =
            self.competencies.iter().rev().map(|c| (None, c)).collect();
        while let Some((parent, competency)) = stack.pop() {
            out.push(FlatCompetency {
                framework: &self.id,
                parent,
                competency,
            });
            stack.extend(
                competency
                    .children
                    .iter()
                    .rev()
                    .map(|child| (Some(competency.code.as_str()), child)),
            );
        }
        out
    }
}

/// A reference to one competency, written `FRAMEWORK:CODE`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CompetencyRef {
    pub framework: String,
    pub code: String,
}

impl CompetencyRef {
    /// Parses `FRAMEWORK:CODE` as the schema's pattern has it.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (framework, code) = text
            .split_once(':')
            .ok_or_else(|| format!("`{text}` is not of the form FRAMEWORK:CODE"))?;
        let framework_ok = !framework.is_empty()
            && framework
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        let code_ok = !code.is_empty()
            && code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        if framework_ok && code_ok {
            Ok(CompetencyRef {
                framework: framework.to_owned(),
                code: code.to_owned(),
            })
        } else {
            Err(format!("`{text}` is not of the form FRAMEWORK:CODE"))
        }
    }
}

impl fmt::Display for CompetencyRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.framework, self.code)
    }
}
