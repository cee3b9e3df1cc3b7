//! The closed vocabularies of the schema as Rust enums, each with its wire value (`online_live`) and
//! a label for people ("Online, live").

/// Declares a string enum: its wire value (serde and `FromStr`) and its human label.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $wire:literal : $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        // Every wire value is its variant's name in snake_case: the OpenAPI schema says so
        // (`rename_all`), and a test in `web::openapi` checks that the two agree.
        #[schema(rename_all = "snake_case")]
        pub enum $name {
            $(#[serde(rename = $wire)] $variant),+
        }

        impl $name {
            /// Every value, in the schema's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value as the schema spells it.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }

            /// The value as a person reads it.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(text: &str) -> Result<Self, String> {
                match text {
                    $($wire => Ok($name::$variant),)+
                    _ => Err(format!(
                        "unknown value `{}`, expected one of: {}",
                        text,
                        [$($wire),+].join(", ")
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::catalog::ClosedVocabulary for $name {
            fn values() -> Vec<&'static str> {
                Self::ALL.iter().map(|value| value.as_str()).collect()
            }

            fn label_of(value: &str) -> Option<&'static str> {
                value.parse::<Self>().ok().map(Self::label)
            }
        }
    };
}

/// A vocabulary of the schema known by its wire values alone: what a filter dimension over it
/// needs to check, order and label a value it reads as text.
pub trait ClosedVocabulary {
    /// Every value as the schema spells it, in the schema's order.
    fn values() -> Vec<&'static str>;
    /// The label of a value, if it is one.
    fn label_of(value: &str) -> Option<&'static str>;
}

pub(crate) use string_enum;
