//! The certification programs offerings count toward, by code as the bundle writes them
//! (`cpla`). The schema leaves the codes open, so an import may bring others; these are the ones
//! the catalog names, and the ones the provider's form offers as choices.

/// Every known certification, (code, name as people read it), in the order forms list them.
pub const CERTIFICATIONS: &[(&str, &str)] = &[
    ("cpla", "Certified Public Library Administrator (CPLA)"),
    ("lssc", "Library Support Staff Certification (LSSC)"),
    ("archives-da", "Digital Archives Specialist (DAS)"),
    (
        "school-librarian-renewal",
        "School librarian certificate renewal",
    ),
    (
        "state-public-librarian-cert",
        "State public librarian certification",
    ),
];

/// The name of a known certification.
pub fn certification_name(code: &str) -> Option<&'static str> {
    CERTIFICATIONS
        .iter()
        .find(|(known, _)| *known == code)
        .map(|(_, name)| *name)
}

/// A certification's rules, as the bundle's `certifications.json` holds them: which competency
/// sets it requires, how many of its electives a candidate chooses, within how many years, and
/// which offerings are approved for each set.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Certification {
    /// The code offerings name in `certifications` (`lssc`).
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Every requirement must be met within this many years.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_limit_years: Option<u32>,
    /// How many of the elective requirements a candidate must meet (none: no electives count).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub electives_to_choose: u32,
    pub requirements: Vec<Requirement>,
}

fn is_zero(value: &u32) -> bool {
    *value == 0
}

/// One competency set of a certification, and the offerings approved for it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    /// The set, as `FRAMEWORK:CODE` (`lssc:FLS`).
    pub competency: String,
    /// Required of every candidate, or one of the electives to choose from.
    pub kind: RequirementKind,
    /// Offerings that show the whole set, by id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approved_offerings: Vec<String>,
}

/// Whether a requirement is required or an elective.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequirementKind {
    Required,
    Elective,
}

/// The certifications of a bundle (`certifications.json`).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Certifications {
    pub certifications: Vec<Certification>,
}

impl Certification {
    /// Every problem of this certification against what the catalog knows: its id, its
    /// requirements' competencies and approved offerings, and the electives to choose.
    pub fn problems(&self, known: &super::Known) -> Vec<super::FieldError> {
        let mut errors = Vec::new();
        let mut add =
            |field: String, message: String| errors.push(super::FieldError { field, message });
        if !super::is_slug(&self.id, 2, 64) {
            add(
                "id".into(),
                "must be 2–64 lowercase letters, digits and hyphens".into(),
            );
        }
        if self.name.trim().is_empty() {
            add("name".into(), "must not be empty".into());
        }
        if self.time_limit_years == Some(0) {
            add("time_limit_years".into(), "must be at least 1".into());
        }
        let electives = self
            .requirements
            .iter()
            .filter(|r| r.kind == RequirementKind::Elective)
            .count();
        if self.electives_to_choose as usize > electives {
            add(
                "electives_to_choose".into(),
                format!(
                    "is {} but there are only {electives} electives",
                    self.electives_to_choose
                ),
            );
        }
        if self.requirements.is_empty() {
            add(
                "requirements".into(),
                "must list at least one requirement".into(),
            );
        }
        let mut seen = std::collections::HashSet::new();
        for (index, requirement) in self.requirements.iter().enumerate() {
            let field = format!("requirements[{index}]");
            let known_competency = super::CompetencyRef::parse(&requirement.competency)
                .ok()
                .is_some_and(|c| known.competencies.contains(&c));
            if !known_competency {
                add(
                    format!("{field}.competency"),
                    format!("`{}` is not a known competency", requirement.competency),
                );
            }
            if !seen.insert(requirement.competency.as_str()) {
                add(
                    format!("{field}.competency"),
                    format!("`{}` is listed twice", requirement.competency),
                );
            }
            for id in &requirement.approved_offerings {
                if !known.offerings.contains(id) {
                    add(
                        format!("{field}.approved_offerings"),
                        format!("`{id}` is not a known offering"),
                    );
                }
            }
        }
        errors
    }
}
