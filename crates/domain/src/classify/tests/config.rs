//! Keyword tables from configuration: overrides, defaults, and validation.

use serde::Deserialize;
use serde::de::IntoDeserializer;
use serde::de::value::Error as ValueError;
use std::collections::BTreeMap;

use super::{strings, with};
use crate::classify::{
    CategoryKeywords, Classification, Classifier, ClassifierConfig, ClassifierConfigError,
    PriorityKeywords,
};
use crate::ticket::{Category, Priority};

#[test]
fn the_seed_tables_are_a_valid_config() {
    assert!(Classifier::new(&ClassifierConfig::default()).is_ok());
}

#[test]
fn configured_tables_replace_the_defaults_and_missing_ones_keep_them() {
    let config = ClassifierConfig {
        priority: PriorityKeywords {
            urgent: strings(&["outage"]),
            ..PriorityKeywords::default()
        },
        category: CategoryKeywords {
            technical: strings(&["Störung", "two factor"]),
            ..CategoryKeywords::default()
        },
    };
    let c = with(&config);
    assert_eq!(c.priority("", "total outages"), Priority::Urgent);
    assert_eq!(c.priority("", "emergency"), Priority::Medium, "replaced");
    assert_eq!(c.priority("", "an error"), Priority::High, "kept");
    assert_eq!(c.category("", "STÖRUNG"), Category::Technical);
    assert_eq!(c.category("", "Two-factor codes"), Category::Technical);
    assert_eq!(c.category("", "login"), Category::Other, "replaced");
    assert_eq!(c.category("", "refund"), Category::Billing, "kept");
}

#[test]
fn empty_tables_are_allowed() {
    let config = ClassifierConfig {
        priority: PriorityKeywords {
            urgent: vec![],
            high: vec![],
            low: vec![],
        },
        category: CategoryKeywords {
            order: vec![],
            product: vec![],
            billing: vec![],
            technical: vec![],
        },
    };
    let expected = Classification {
        priority: Priority::Medium,
        category: Category::Other,
    };
    assert_eq!(
        with(&config).classify("URGENT", "order not working"),
        expected
    );
}

type Raw<'a> = BTreeMap<&'a str, BTreeMap<&'a str, Vec<&'a str>>>;

fn deserialize(raw: Raw<'_>) -> Result<ClassifierConfig, ValueError> {
    ClassifierConfig::deserialize(raw.into_deserializer())
}

#[test]
fn a_config_file_only_spells_out_what_it_changes() {
    let raw = Raw::from([("priority", BTreeMap::from([("low", vec!["fyi"])]))]);
    let config = deserialize(raw).unwrap();
    assert_eq!(config.priority.low, ["fyi"]);
    assert_eq!(config.priority.urgent, PriorityKeywords::default().urgent);
    assert_eq!(config.category, CategoryKeywords::default());
    assert_eq!(
        deserialize(Raw::new()).unwrap(),
        ClassifierConfig::default()
    );
}

#[test]
fn a_config_file_with_an_unknown_table_is_rejected() {
    let raw = Raw::from([("priority", BTreeMap::from([("medium", vec!["hello"])]))]);
    assert!(deserialize(raw).unwrap_err().to_string().contains("medium"));
    let raw = Raw::from([("prority", BTreeMap::new())]);
    assert!(deserialize(raw).is_err());
}

#[test]
fn an_empty_keyword_is_rejected_with_its_table_and_position() {
    let mut config = ClassifierConfig::default();
    config.category.billing = strings(&["invoice", "refund", "  "]);
    let err = Classifier::new(&config).unwrap_err();
    assert_eq!(
        err,
        ClassifierConfigError::EmptyKeyword {
            table: "category.billing",
            index: 2
        }
    );
    assert_eq!(
        err.to_string(),
        "keyword #2 of the `category.billing` keyword table is empty"
    );
}

#[test]
fn a_keyword_without_letters_or_digits_is_rejected_by_name() {
    let mut config = ClassifierConfig::default();
    config.priority.urgent.push("!!!".to_owned());
    let err = Classifier::new(&config).unwrap_err();
    assert_eq!(
        err,
        ClassifierConfigError::NoWordCharacters {
            table: "priority.urgent",
            keyword: "!!!".to_owned()
        }
    );
    assert!(err.to_string().contains("`!!!`") && err.to_string().contains("priority.urgent"));
}
