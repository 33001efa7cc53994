//! Parameters as command lines, and option enums spelled the way the command line spells them.

use std::path::Path;

use serde::Serialize;

/// `[STAGE, --flag value..., -o PREFIX]`: every parameter that differs from its default, the
/// `first` ones (the inputs a runner sets) in that order, then the others sorted by flag. `true`
/// is a bare `--flag`; `false` (of an optional switch) is `--flag false`; lists are joined by
/// commas.
pub fn to_args<P: Serialize + Default>(
    stage: &str,
    params: &P,
    prefix: &Path,
    first: &[&str],
) -> Vec<String> {
    let mut args = vec![stage.to_string()];
    let (Ok(serde_json::Value::Object(values)), Ok(serde_json::Value::Object(defaults))) = (
        serde_json::to_value(params),
        serde_json::to_value(P::default()),
    ) else {
        return args;
    };
    // serde_json's map is sorted by key, so the other flags come out sorted.
    let rank = |field: &str| {
        let flag = field.replace('_', "-");
        first.iter().position(|f| *f == flag).unwrap_or(first.len())
    };
    let mut fields: Vec<(&String, &serde_json::Value)> = values.iter().collect();
    fields.sort_by_key(|(f, _)| rank(f));
    for (field, value) in fields {
        if defaults.get(field) == Some(value) || value.is_null() {
            continue;
        }
        let flag = format!("--{}", field.replace('_', "-"));
        match value {
            serde_json::Value::Bool(true) => args.push(flag),
            other => {
                args.push(flag);
                args.push(text(other));
            }
        }
    }
    args.push("-o".into());
    args.push(prefix.to_string_lossy().into_owned());
    args
}

fn text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(a) => a.iter().map(text).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

/// Serde for an `Option<E>` of a command-line enum, by its command-line name (so a manifest,
/// the command line and the recorded command all spell values alike).
pub mod opt_enum {
    use clap::ValueEnum;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<E: ValueEnum, S: Serializer>(v: &Option<E>, s: S) -> Result<S::Ok, S::Error> {
        match v.as_ref().and_then(ValueEnum::to_possible_value) {
            Some(p) => s.serialize_some(p.get_name()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, E: ValueEnum, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<E>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(text) => super::parse(&text).map(Some),
        }
    }
}

/// Serde for an `E` of a command-line enum, by its command-line name.
pub mod req_enum {
    use clap::ValueEnum;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<E: ValueEnum, S: Serializer>(v: &E, s: S) -> Result<S::Ok, S::Error> {
        match v.to_possible_value() {
            Some(p) => s.serialize_str(p.get_name()),
            None => Err(serde::ser::Error::custom("a hidden value")),
        }
    }

    pub fn deserialize<'de, E: ValueEnum, D: Deserializer<'de>>(d: D) -> Result<E, D::Error> {
        super::parse(&String::deserialize(d)?)
    }
}

fn parse<E: clap::ValueEnum, Er: serde::de::Error>(text: &str) -> Result<E, Er> {
    E::from_str(text, false).map_err(|_| {
        let names: Vec<String> = E::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_string()))
            .collect();
        Er::custom(format!(
            "'{text}' is not one of {}",
            names
                .iter()
                .map(|n| format!("\"{n}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })
}
